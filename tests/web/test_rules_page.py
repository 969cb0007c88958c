"""/rules: the rule reference in the web interface, and refusals that link to it (issue 17)."""

import re
from html import unescape

from tests.web.conftest import Env
from tests.web.test_pages import post_step
from workflow.rule_reference import rule_ids


def test_the_rules_page_has_an_anchored_entry_for_every_rule_id(sqlite_env: Env) -> None:
    page = sqlite_env.login("auditor").get("/rules")
    assert page.status_code == 200
    anchors = set(re.findall(r'<article class="rule" id="([^"]+)"', page.text))
    assert anchors == set(rule_ids())
    text = unescape(page.text)
    assert "Số tán thành (10) lớn hơn số cấp ủy viên (9)." in text, "each rule shows its sentence"
    assert "QĐ 294-QĐ/TW" in text and "thuvienphapluat.vn" in text, "regulations and sources are listed"


def test_a_refusal_links_each_cited_rule_to_its_entry(sqlite_env: Env) -> None:
    cid = sqlite_env.seed("CB-01", "branch_vote")
    browser = sqlite_env.login("sec_a")
    response = post_step(browser, cid, "branch_vote", {"on": "2024-07-01", "official_members": "20",
                                                       "in_favour": "25"})
    html = response.text  # type: ignore[attr-defined]
    assert '<a href="/rules#vote_counts">Quy tắc vote_counts</a>' in html
    assert "DOMAIN.md" not in html
    assert "Số tán thành (25) lớn hơn số đảng viên chính thức (20)." in unescape(html)
