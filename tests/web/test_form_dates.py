"""Date inputs are text read the Vietnamese way (issue 17, item 4): 10/11/2026 is 10 November whatever the
browser's locale, ISO still read, anything else refused naming the field by its Vietnamese label."""

from datetime import date

from starlette.datastructures import FormData

from workflow.web import forms


def test_day_month_year_is_read_as_written_and_iso_still_works() -> None:
    assert forms.parse_date("10/11/2026") == date(2026, 11, 10)
    assert forms.parse_date(" 1/2/2026 ") == date(2026, 2, 1)
    assert forms.parse_date("2026-11-10") == date(2026, 11, 10)
    for bad in ("31/02/2026", "11/10/26", "2026/11/10", "20261110", "13/13/2026", ""):
        assert forms.parse_date(bad) is None, bad


def test_a_step_form_sends_iso_and_a_bad_date_names_the_vietnamese_label() -> None:
    fields, problems = forms.parse_form("certify_training", FormData([("certificate_no", "CN-1"),
                                                                      ("issued_on", "05/03/2024")]))
    assert fields == {"certificate_no": "CN-1", "issued_on": "2024-03-05"} and problems == []

    fields, problems = forms.parse_form("certify_training", FormData([("certificate_no", "CN-1"),
                                                                      ("issued_on", "03/15/2024")]))
    assert "issued_on" not in fields and [p.field for p in problems] == ["issued_on"]
    assert problems[0].message_vi.startswith("Ngày cấp: “03/15/2024” không phải là ngày")
    assert "issued_on" not in problems[0].message_vi


def test_a_recorded_iso_date_is_shown_day_first_and_what_was_typed_stays() -> None:
    assert forms.shown_date("2026-11-10") == "10/11/2026"
    assert forms.shown_date(date(2026, 11, 10)) == "10/11/2026"
    assert forms.shown_date("10/11/26") == "10/11/26"
