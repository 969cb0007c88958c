"""The read-access log (issue 11, item 7; Decree 13/2023/NĐ-CP): every view of a candidate's personal data is
recorded (who and in which role, which file or which list, which view, when, from where) and never changed.

Each entry point makes one call, `viewed`, after the data was read and before it is shown: the row is one INSERT
in its own short transaction (on SQLite, the service's write connection, so it waits only for a step being
recorded, never holds a lock while a page renders). If the row cannot be written the view fails too: nothing is
shown that was not recorded. Who may read the log is decided in workflow/access.py (`access_log_scope`).
"""

from dataclasses import dataclass
from datetime import datetime

from storage import access_log as store
from storage.access_log import AccessFilter, View
from storage.paging import Page
from workflow.access import Principal, access_log_scope
from workflow.clock import VIETNAM
from workflow.service import Ketnap

# Every view that is recorded, with its Vietnamese and English label.
VIEWS: dict[str, tuple[str, str]] = {
    "candidate_page": ("Trang hồ sơ", "Candidate page"),
    "audit_history": ("Kiểm tra: lịch sử theo ngày", "Audit: history as of a date"),
    "api_candidate": ("API: hồ sơ", "API: candidate"),
    "api_history": ("API: lịch sử", "API: history"),
    "api_allowed_steps": ("API: bước tiếp theo", "API: allowed steps"),
    "cli_show": ("Dòng lệnh: show", "CLI: show"),
    "cli_history": ("Dòng lệnh: history", "CLI: history"),
    "export_xlsx": ("Xuất danh sách Excel", "Excel list export"),
    "dossier_json": ("Hồ sơ xuất JSON", "Dossier (JSON)"),
    "dossier_csv": ("Hồ sơ xuất CSV", "Dossier (CSV)"),
    "dossier_html": ("Hồ sơ in (HTML)", "Dossier (HTML, printable)"),
}


@dataclass(frozen=True)
class Viewer:
    """Who is looking and from where: a signed-in user on the web or the API, or the server's operator."""

    actor: str
    role: str | None
    via: str  # web, api or cli
    origin: str  # the client's address, or "cli:<OS user>"


def user_viewer(who: Principal, via: str, address: str | None) -> Viewer:
    return Viewer(who.actor, who.role.value, via, address or "unknown")


def operator_viewer(actor: str, os_user: str) -> Viewer:
    """The CLI runs on the server with the database's own rights: no role, its OS account as the origin."""
    return Viewer(actor, None, "cli", f"cli:{os_user}")


def viewed(app: Ketnap, viewer: Viewer, view: str, candidate_id: str | None = None, *, org: str | None = None,
           scope: str | None = None, count: int | None = None) -> None:
    """Record one view. A candidate's view is placed in the candidate's organisation (read by the INSERT itself);
    a list's in the organisation it was limited to (`org`), or none for the whole database."""
    assert view in VIEWS, f"an unnamed view: {view}"
    with app.uow.transaction() as tx:
        store.record(tx.conn, View(app.clock.now(), viewer.actor, viewer.role, viewer.via, viewer.origin, view,
                                   candidate_id, org, scope, count))


def read(app: Ketnap, who: Principal | None, *, candidate_id: str | None = None, actor: str | None = None,
         since: datetime | None = None, limit: int = 50, offset: int = 0) -> Page:
    """A page of the log, newest first: an auditor's rows (`who`), or every row for the server's operator (None).

    Raises: AccessDenied (not an auditor).
    """
    orgs, unplaced = (None, True) if who is None else access_log_scope(who, [o.code for o in app.orgs()])
    with app.uow.reading() as tx:
        rows, more = store.read(tx.conn, AccessFilter(orgs, unplaced, candidate_id, actor, since, limit, offset))
    return Page(rows, more, offset, limit)


def label(view: str, lang: str) -> str:
    pair = VIEWS.get(view)
    return view if pair is None else pair[0] if lang == "vi" else pair[1]


def since(raw: str) -> datetime | None:
    """The start, in Vietnam, of a day typed as dd/mm/yyyy (as people write it) or YYYY-MM-DD (a date field);
    None when it is neither."""
    text = raw.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return day.replace(tzinfo=VIETNAM)
    return None


def local_time(moment: datetime) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time, as people read it (the zone is named once, in the heading)."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


ZONE_NOTE = "giờ Việt Nam (Asia/Ho_Chi_Minh, UTC+07:00)"
