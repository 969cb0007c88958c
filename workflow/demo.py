"""A small demo organisation with candidates at every stage, dated relative to today so that something is
always due, and the 2025 restructuring it went through (issue 10). Loaded by `ketnap demo` (the README's first
command) and `ketnap serve --demo`.

Until 30 June 2025 the district committee HUYEN-HH held the school's grassroots committee, a grassroots branch and
two old communes; on 1 July 2025 (HD 31-HD/BTCTW) the district ends, the school and the branch go under the new
commune XA-TL, the two old communes are merged into the new commune XA-TP, and one village branch into another.
Some candidates straddle the date: their branch voted under the district, and the new commune decided."""

from datetime import date, timedelta
from typing import Any

from states.organisations import OrgChange
from storage import contacts
from workflow.commands import AddOrganisation, RecordStep
from workflow.service import Ketnap

ORGS = [  # in existence before anything recorded
    AddOrganisation(code="TINH-QT", name="Tỉnh ủy Quảng Trị", level="province"),
    AddOrganisation(code="HUYEN-HH", name="Huyện ủy Hướng Hóa", level="upper", parent="TINH-QT"),
    AddOrganisation(code="DU-THPT", name="Đảng ủy Trường THPT Tân Lập", level="grassroots", parent="HUYEN-HH"),
    AddOrganisation(code="CB-GV", name="Chi bộ Giáo viên", level="branch", parent="DU-THPT"),
    AddOrganisation(code="CB-HS", name="Chi bộ Học sinh – Đoàn thanh niên", level="branch", parent="DU-THPT"),
    AddOrganisation(code="CB-THON1", name="Chi bộ thôn Khe Sanh", level="grassroots", parent="HUYEN-HH"),
    AddOrganisation(code="XA-TLIEN", name="Đảng ủy xã Tân Liên", level="grassroots", parent="HUYEN-HH"),
    AddOrganisation(code="CB-TH", name="Chi bộ thôn Tân Hòa", level="branch", parent="XA-TLIEN"),
    AddOrganisation(code="XA-THOP", name="Đảng ủy xã Tân Hợp", level="grassroots", parent="HUYEN-HH"),
    AddOrganisation(code="CB-LP", name="Chi bộ thôn Long Phụng", level="branch", parent="XA-THOP"),
]

RESTRUCTURED_ON = date(2025, 7, 1)
PROVINCE_STANDING = "Ban Thường vụ Tỉnh ủy Quảng Trị"
RESTRUCTURING = [  # one restructuring, recorded in one transaction
    OrgChange("created", "XA-TL", RESTRUCTURED_ON, "1701-QĐ/TU", PROVINCE_STANDING, name="Đảng ủy xã Tân Lập",
              level="commune", parent="TINH-QT"),
    OrgChange("created", "XA-TP", RESTRUCTURED_ON, "1702-QĐ/TU", PROVINCE_STANDING, name="Đảng ủy xã Tân Phong",
              level="commune", parent="TINH-QT"),
    OrgChange("moved", "DU-THPT", RESTRUCTURED_ON, "1703-QĐ/TU", PROVINCE_STANDING, parent="XA-TL"),
    OrgChange("moved", "CB-THON1", RESTRUCTURED_ON, "1703-QĐ/TU", PROVINCE_STANDING, parent="XA-TL"),
    OrgChange("merged", "XA-TLIEN", RESTRUCTURED_ON, "1704-QĐ/TU", PROVINCE_STANDING, into="XA-TP"),
    OrgChange("merged", "XA-THOP", RESTRUCTURED_ON, "1704-QĐ/TU", PROVINCE_STANDING, into="XA-TP"),
    OrgChange("merged", "CB-LP", RESTRUCTURED_ON, "05-QĐ/ĐU", "Đảng ủy xã Tân Phong", into="CB-TH"),
    OrgChange("dissolved", "HUYEN-HH", RESTRUCTURED_ON, "1705-QĐ/TU", PROVINCE_STANDING),
]
FOUNDED = [AddOrganisation(code=c.code, name=c.name or c.code, level=c.level or "commune", parent=c.parent)
           for c in RESTRUCTURING if c.kind == "created"]

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


# Candidates whose procedure straddles the restructuring, on fixed dates: (name, birth date, sex, branch their
# events name, last step, the day they were identified). Steps after today are left for later.
STRADDLING = [
    # voted under the district in June 2025, admitted by the new commune XA-TL in July, recognised by it in 2026
    ("Hồ Thị Lan", "1996-05-14", "F", "CB-GV", "recognise_official", date(2025, 1, 20)),
    # village branch of an old commune: voted under it, admitted by the merged commune XA-TP (no committee vote);
    # reviewed by the branch in 2026, the recognition decision is now XA-TP's (its office gets the reminders)
    ("Hồ Văn Sơn", "1997-10-02", "M", "CB-TH", "review_vote", date(2025, 1, 25)),
    # branch merged into CB-TH: listed under CB-TH now, while every event still names CB-LP
    ("Kiều Thị Mai", "1999-03-08", "F", "CB-LP", "recognise_official", date(2025, 1, 15)),
    # admitted by the district in February 2025, recognised as official by the new commune in 2026
    ("Hồ Văn Pả", "1994-08-08", "M", "CB-THON1", "recognise_official", date(2024, 9, 1)),
]
COMMITTEE_VOTES = frozenset({"committee_vote", "committee_review_vote"})  # only where the tree of the day wants them
CATEGORIES = {"CB-HS": ["student"], "CB-GV": ["public_servant"]}  # villages: farmers


def _fields(fields: dict[str, Any], start: date) -> dict[str, Any]:
    return {k: (start + timedelta(days=v)).isoformat() if k in ("issued_on", "received_on") else v
            for k, v in fields.items()}


def _values(step: str, fields: dict[str, Any], start: date, person: tuple[str, str, str, str]) -> dict[str, Any]:
    name, birth, sex, org = person
    values = _fields(fields, start)
    if step == "identify":
        values = {"org": org, "full_name": name, "birth_date": birth, "sex": sex, "education": "upper_secondary",
                  "youth_union": org == "CB-HS", "categories": CATEGORIES.get(org, ["farmer"])}
    if step == "introduce" and org == "CB-HS":
        values = {"introducers": values["introducers"][:1], "union_resolution": {
            "body": "youth_union", "number": "12-NQ/ĐTN", "on": (start + timedelta(days=128)).isoformat()}}
    return values


def _record_person(app: Ketnap, person: tuple[str, str, str, str], last: str, start: date) -> str:
    """The demo path from `start` up to `last` (or today). Who decides, and whether the grassroots committee
    votes, come from the tree in force on each step's date: the district before 1 July 2025, the new commune
    after."""
    candidate_id: str | None = None
    for step, offset, fields in PATH:
        on = start + timedelta(days=offset)
        if on > app.today():
            break
        values = _values(step, fields, start, person)
        if step in COMMITTEE_VOTES or "decided_by" in values:
            tree = app.organisations.tree(on)
            body, vote_required = tree.competent_body(tree.current(person[3], candidate_id))
            values = {**values, "decided_by": body} if "decided_by" in values else values
            if step in COMMITTEE_VOTES and not vote_required:
                if step == last:
                    break
                continue
        result = app.record_step(RecordStep(candidate_id=candidate_id, step=step, on=on, fields=values,
                                            actor="demo"))
        candidate_id = result.candidate.id
        if step == last:
            break
    assert candidate_id is not None
    return candidate_id


def load_demo(app: Ketnap) -> list[str]:
    """Add the organisations, their 2025 restructuring and the candidates; returns the candidates' ids. Skips if
    organisations exist."""
    if app.orgs():
        return []
    for organisation in ORGS:
        app.add_org(organisation, actor="demo")
    app.organisations.change(RESTRUCTURING, "demo")
    _add_demo_contacts(app)
    ids = []
    for name, birth, sex, org, last, ago in PEOPLE:
        last_offset = next(offset for step, offset, _ in PATH if step == last)
        ids.append(_record_person(app, (name, birth, sex, org), last, app.today() - timedelta(days=last_offset + ago)))
    for name, birth, sex, org, last, identified_on in STRADDLING:
        if identified_on <= app.today():
            ids.append(_record_person(app, (name, birth, sex, org), last, identified_on))
    return ids


# Demo sign-ins for `ketnap serve --demo` (issue 5): one per role, all with DEMO_PASSWORD. Never in production.
# It is shorter than the password policy allows (issue 11) and is set past it on purpose: it is published anyway.
DEMO_PASSWORD = "ketnap-demo"
DEMO_USERS = [  # (username, full name, role, organisations)
    ("bithu.gv", "Lê Thị Thu (bí thư Chi bộ Giáo viên)", "secretary", ["CB-GV"]),
    ("bithu.hs", "Nguyễn Văn An (bí thư Chi bộ Học sinh)", "secretary", ["CB-HS"]),
    ("danguy.xa", "Văn phòng Đảng ủy xã Tân Lập", "committee", ["XA-TL"]),
    ("danguy.tp", "Văn phòng Đảng ủy xã Tân Phong", "committee", ["XA-TP"]),
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
            accounts.add_user(app, username, role, orgs, DEMO_PASSWORD, full_name, enforce_policy=False)
            added.append(username)
    return added


def _add_demo_contacts(app: Ketnap) -> None:
    """Every branch secretary and committee office gets an address, so the demo's reminders go out (to the
    log channel of config.yaml) instead of waiting as incidents; the new communes' offices too, where the
    reminders of open deadlines go from 1 July 2025."""
    with app.uow.transaction() as tx:
        for organisation in [*ORGS, *FOUNDED]:  # the ended ones keep theirs, as history
            role = "secretary" if organisation.level in ("branch", "grassroots") else "office"
            contacts.put(tx.conn, contacts.Contact(organisation.code, role, f"{organisation.code.lower()}@example.vn",
                                                   name=organisation.name), app.clock.now())
            if organisation.level == "grassroots":
                contacts.put(tx.conn, contacts.Contact(organisation.code, "office",
                                                       f"vp.{organisation.code.lower()}@example.vn",
                                                       name=organisation.name), app.clock.now())
