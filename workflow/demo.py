"""A small demo organisation with candidates at every stage, dated relative to today so that something is
always due. Loaded by `ketnap demo` (the README's first command)."""

from datetime import date, timedelta
from typing import Any

from storage import contacts
from workflow.commands import AddOrganisation, RecordStep
from workflow.service import Ketnap

ORGS = [
    AddOrganisation(code="TINH-QT", name="Tỉnh ủy Quảng Trị", level="province"),
    AddOrganisation(code="XA-TL", name="Đảng ủy xã Tân Lập", level="commune", parent="TINH-QT"),
    AddOrganisation(code="DU-THPT", name="Đảng ủy Trường THPT Tân Lập", level="grassroots", parent="XA-TL"),
    AddOrganisation(code="CB-GV", name="Chi bộ Giáo viên", level="branch", parent="DU-THPT"),
    AddOrganisation(code="CB-HS", name="Chi bộ Học sinh – Đoàn thanh niên", level="branch", parent="DU-THPT"),
    AddOrganisation(code="CB-THON1", name="Chi bộ thôn Khe Sanh", level="grassroots", parent="XA-TL"),
]

# (step, day offset from the start, fields); `issued_on`/`received_on` offsets are resolved below.
PATH: list[tuple[str, int, dict[str, Any]]] = [
    ("identify", 0, {}),
    ("assign_helper", 10, {"helper": "Phạm Văn Bình"}),
    ("enrol_training", 40, {"class_name": "Lớp bồi dưỡng nhận thức về Đảng khóa 2"}),
    ("certify_training", 60, {"certificate_no": "NTVĐ-0412", "issued_on": 55}),
    ("submit_application", 70, {}),
    ("declare_history", 75, {}),
    ("conclude_vetting", 120, {"conclusion": "cleared", "certified_by": "Đảng ủy Trường THPT Tân Lập"}),
    ("introduce", 130, {"introducers": [
        {"name": "Lê Văn Cường", "official_since": "2008-05-19", "months_together": 24},
        {"name": "Trần Thị Mỹ Dung", "official_since": "2012-09-02", "months_together": 18}]}),
    ("collect_comments", 135, {"sources": ["residence", "mass_organisations"]}),
    ("branch_vote", 150, {"official_members": 21, "in_favour": 19, "resolution_no": "06-NQ/CB"}),
    ("committee_vote", 160, {"committee_members": 9, "in_favour": 8}),
    ("decide_admission", 180, {"decision_no": "215-QĐ/ĐU", "decided_by": "XA-TL", "received_on": 183}),
    ("hold_ceremony", 200, {"probation_helper": "Lê Văn Cường"}),
    ("submit_member_history", 215, {}),
    ("certify_new_member_course", 300, {"certificate_no": "ĐVM-77", "issued_on": 298}),
    ("review_vote", 570, {"official_members": 22, "in_favour": 21, "recommendation": "recognise"}),
    ("committee_review_vote", 580, {"committee_members": 9, "in_favour": 9}),
    ("recognise_official", 595, {"decision_no": "388-QĐ/ĐU", "decided_by": "XA-TL"}),
]

PEOPLE = [  # (name, birth date, sex, org, last step, days since that step)
    ("Nguyễn Thị Hoà", "2006-02-11", "F", "CB-HS", "identify", 5),
    ("Hồ Văn Khải", "2005-07-30", "M", "CB-HS", "assign_helper", 20),
    ("Y Bhăm Êban", "1998-12-01", "M", "CB-THON1", "enrol_training", 15),
    ("Trần Ngọc Ánh", "1995-04-18", "F", "CB-GV", "introduce", 10),
    ("Lê Quốc Đạt", "1993-09-09", "M", "CB-GV", "committee_vote", 40),
    ("Phan Thị Thuỷ", "1990-01-25", "F", "CB-GV", "decide_admission", 20),
    ("Võ Minh Tuấn", "1992-03-03", "M", "CB-GV", "submit_member_history", 330),
    ("Đặng Thu Hương", "1988-11-11", "F", "CB-GV", "recognise_official", 60),
]


def _fields(fields: dict[str, Any], start: date) -> dict[str, Any]:
    return {k: (start + timedelta(days=v)).isoformat() if k in ("issued_on", "received_on") else v
            for k, v in fields.items()}


def load_demo(app: Ketnap) -> list[str]:
    """Add the organisations and candidates; returns the candidates' ids. Skips if organisations exist."""
    if app.orgs():
        return []
    for organisation in ORGS:
        app.add_org(organisation)
    _add_demo_contacts(app)
    today, ids = app.today(), []
    for name, birth, sex, org, last, ago in PEOPLE:
        last_offset = next(offset for step, offset, _ in PATH if step == last)
        start = today - timedelta(days=last_offset + ago)
        candidate_id: str | None = None
        for step, offset, fields in PATH:
            values = _fields(fields, start)
            if step == "identify":
                values = {"org": org, "full_name": name, "birth_date": birth, "sex": sex,
                          "education": "upper_secondary", "youth_union": org == "CB-HS",
                          "categories": ["student"] if org == "CB-HS" else ["public_servant"]}
            if step == "introduce" and org == "CB-HS":
                values = {"introducers": values["introducers"][:1], "union_resolution": {
                    "body": "youth_union", "number": "12-NQ/ĐTN", "on": (start + timedelta(days=128)).isoformat()}}
            if step == "committee_vote" and org == "CB-THON1":
                continue
            result = app.record_step(RecordStep(candidate_id=candidate_id, step=step,
                                                on=start + timedelta(days=offset), fields=values, actor="demo"))
            candidate_id = result.candidate.id
            if step == last:
                break
        assert candidate_id is not None
        ids.append(candidate_id)
    return ids


# Demo sign-ins for `ketnap serve --demo` (issue 5): one per role, all with DEMO_PASSWORD. Never in production.
DEMO_PASSWORD = "ketnap-demo"
DEMO_USERS = [  # (username, full name, role, organisations)
    ("bithu.gv", "Lê Thị Thu (bí thư Chi bộ Giáo viên)", "secretary", ["CB-GV"]),
    ("bithu.hs", "Nguyễn Văn An (bí thư Chi bộ Học sinh)", "secretary", ["CB-HS"]),
    ("danguy.xa", "Văn phòng Đảng ủy xã Tân Lập", "committee", ["XA-TL"]),
    ("kiemtra", "Ủy ban Kiểm tra Tỉnh ủy", "auditor", ["TINH-QT"]),
    ("quantri", "Quản trị hệ thống", "admin", ["TINH-QT"]),
]


def load_demo_users(app: Ketnap) -> list[str]:
    """Add the demo users that do not exist yet; returns the usernames added."""
    from workflow import accounts  # argon2 is loaded only when users are added

    known = {u.username for u in accounts.all_users(app)}
    added = []
    for username, full_name, role, orgs in DEMO_USERS:
        if username not in known:
            accounts.add_user(app, username, role, orgs, DEMO_PASSWORD, full_name)
            added.append(username)
    return added


def _add_demo_contacts(app: Ketnap) -> None:
    """Every branch secretary and committee office gets an address, so the demo's reminders go out (to the
    log channel of config.yaml) instead of waiting as incidents."""
    with app.uow.transaction() as tx:
        for organisation in ORGS:
            role = "secretary" if organisation.level in ("branch", "grassroots") else "office"
            contacts.put(tx.conn, contacts.Contact(organisation.code, role, f"{organisation.code.lower()}@example.vn",
                                                   name=organisation.name), app.clock.now())
            if organisation.level == "grassroots":
                contacts.put(tx.conn, contacts.Contact(organisation.code, "office",
                                                       f"vp.{organisation.code.lower()}@example.vn",
                                                       name=organisation.name), app.clock.now())
