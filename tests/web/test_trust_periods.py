"""Issue 11, break 7 over HTTP: a report period such as 9999 or 0001 is a 422 naming the accepted years, on the
API and on the page, never a 500."""

import pytest

from tests.web.conftest import Env


@pytest.mark.parametrize("period", ["9999", "0001", "0001-Q1", "1900-2024", "2024-2101"])
def test_a_report_period_out_of_range_is_a_422_naming_the_accepted_years(sqlite_env: Env, period: str) -> None:
    response = sqlite_env.client.get(f"/api/reports/admissions?org=CB-01&period={period}",
                                     headers=sqlite_env.auth("sec_a"))
    assert (response.status_code, response.json()["code"]) == (422, "refused"), response.text
    assert "1930" in response.json()["message"] and "2100" in response.json()["message"]
    page = sqlite_env.login("sec_a").get(f"/reports/admissions?org=CB-01&period={period}")
    assert page.status_code == 422 and "1930" in page.text


@pytest.mark.parametrize("period", ["1930", "2100", "2024"])
def test_the_first_and_last_accepted_years_give_a_report(sqlite_env: Env, period: str) -> None:
    response = sqlite_env.client.get(f"/api/reports/admissions?org=CB-01&period={period}",
                                     headers=sqlite_env.auth("sec_a"))
    assert response.status_code == 200, response.text
