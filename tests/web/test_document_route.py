"""Issue 12 through the page's route: a document downloads in the page's scope; another branch, an unknown form
and a step not recorded yet are refused with the codes of workflow/refusals.py, and nothing is written."""

from tests.web.conftest import Env


def test_the_route_serves_the_document_in_the_pages_scope_only(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "decide_admission")
    mine, theirs = sqlite_env.login("sec_a"), sqlite_env.login("sec_b")
    page = mine.get(f"/candidates/{cid}")
    assert f"/candidates/{cid}/documents/6-knd?version=" in page.text and "Tải văn bản 6-KNĐ" in page.text
    assert f"/candidates/{cid}/documents/9-knd" not in page.text, "no link before the decision is recorded"
    got = mine.get(f"/candidates/{cid}/documents/6-KNĐ?format=pdf")
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    assert got.headers["content-type"] == "application/pdf"
    assert f'filename="{cid}-6-knd-v' in got.headers["content-disposition"]
    version = len(sqlite_env.ketnap.events(cid))
    assert theirs.get(f"/candidates/{cid}/documents/6-knd").status_code == 404
    assert mine.get(f"/candidates/{cid}/documents/9-knd").status_code == 404  # document_not_recorded
    assert mine.get(f"/candidates/{cid}/documents/17-knd").status_code == 404  # unknown_document
    assert mine.get(f"/candidates/{cid}/documents/6-knd?format=odt").status_code == 422
    assert len(sqlite_env.ketnap.events(cid)) == version
