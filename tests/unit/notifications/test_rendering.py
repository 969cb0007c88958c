"""Templates say who, which step, the due date, the working days left or overdue and the rule behind the deadline,
in Vietnamese by default and in English; subjects are one short line, unique per candidate and deadline; e-mail
headers and bodies carry Vietnamese as correct UTF-8."""

import unicodedata
from email import message_from_bytes, policy
from typing import Any

import pytest

from notifications.channels import email_message
from notifications.message import Address, Notification
from notifications.rendering import render
from notifications.settings import EmailSettings


def context(name: str = "Nguyễn Thị Hoà", candidate_id: str = "c0ffee123456", kind: str = "ceremony",
            short: str = "Lễ kết nạp", state: str = "upcoming", days: int = 5, late: bool = False) -> dict[str, Any]:
    return {
        "slot": "before-7", "late": late, "scheduled_on": "2026-12-08", "today": "2026-12-08",
        "recipient": {"role": "secretary", "role_label": "Bí thư chi bộ", "org": "CB-01",
                      "org_name": "Chi bộ Giáo viên"},
        "responsible": {"role": "secretary", "role_label": "Bí thư chi bộ", "org": "CB-01",
                        "org_name": "Chi bộ Giáo viên"},
        "candidate": {"id": candidate_id, "full_name": name, "org": "CB-01", "org_name": "Chi bộ Giáo viên"},
        "deadline": {"id": 17, "kind": kind, "label": "Tổ chức lễ kết nạp đảng viên", "short": short,
                     "step": "hold_ceremony", "due_on": "2026-12-15", "state": state, "working_days": days,
                     "calendar_days": 7, "ref": "D8", "rule": "Chậm nhất 30 ngày làm việc ...",
                     "regulation": "QĐ 294-QĐ/TW; HD 06-HD/TW 2025", "rule_set": "qd294-2025"},
    }


def note(language: str = "vi", template: str = "reminder", **kw: Any) -> Notification:
    return Notification(key="r:17:2026-12-15:before-7:secretary", template=template, language=language,
                        recipients=(Address(channel="email", target="bt@example.vn"),), context=context(**kw))


def test_the_vietnamese_reminder_says_who_what_when_how_long_and_why() -> None:
    m = render(note())
    assert m.subject == "Nhắc hạn: Lễ kết nạp – Nguyễn Thị Hoà (c0ffee123456) – hạn 15/12/2026"
    for part in ("Kính gửi: Bí thư chi bộ – Chi bộ Giáo viên", "Nguyễn Thị Hoà", "bước hold_ceremony",
                 "Hạn chót: 15/12/2026", "còn 5 ngày làm việc (7 ngày)", "Chậm nhất 30 ngày làm việc",
                 "QĐ 294-QĐ/TW; HD 06-HD/TW 2025", "D8", "r:17:2026-12-15:before-7:secretary"):
        assert part in m.body
    assert "muộn" not in m.body


def test_the_english_reminder() -> None:
    m = render(note("en", short="Ceremony"))
    assert m.subject == "Due: Ceremony – Nguyễn Thị Hoà (c0ffee123456) – 2026-12-15"
    assert "5 working days left (7 calendar days)" in m.body and "Due date: 2026-12-15" in m.body


@pytest.mark.parametrize(("language", "overdue", "today"), [
    ("vi", "đã quá hạn 1 ngày làm việc", "hạn chót là hôm nay"),
    ("en", "overdue by 1 working day (7 calendar days)", "due today"),
])
def test_overdue_and_due_today_are_said_so(language: str, overdue: str, today: str) -> None:
    assert overdue in render(note(language, state="overdue", days=1)).body
    assert today in render(note(language, state="today", days=0)).body
    assert render(note(language, state="overdue", days=1)).subject.startswith(("Quá hạn", "Overdue"))


def test_a_late_reminder_says_when_it_should_have_been_sent() -> None:
    m = render(note(late=True))
    assert m.late and "Thông báo gửi muộn: lẽ ra được gửi ngày 08/12/2026" in m.body


def test_subjects_are_one_line_and_differ_per_candidate_and_per_deadline() -> None:
    subjects = {render(note(candidate_id=c, kind=k, short=s)).subject
                for c in ("c0ffee123456", "beef00000001")
                for k, s in (("ceremony", "Lễ kết nạp"), ("member_history", "Lý lịch đảng viên"))}
    assert len(subjects) == 4
    assert all("\n" not in s and len(s) < 100 for s in subjects)


def test_decomposed_vietnamese_comes_out_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
    m = render(note(name=decomposed))
    assert "Nguyễn Thị Hoà" in m.subject and unicodedata.is_normalized("NFC", m.body)


def test_an_unknown_language_falls_back_to_vietnamese() -> None:
    assert render(note("fr")).subject.startswith("Nhắc hạn")


def test_the_webhook_payload_carries_the_key_and_the_structured_deadline() -> None:
    data = render(note()).data
    assert data["idempotency_key"] == "r:17:2026-12-15:before-7:secretary"
    assert data["deadline"]["due_on"] == "2026-12-15" and data["candidate"]["full_name"] == "Nguyễn Thị Hoà"


def test_an_escalation_names_the_body_that_missed_the_deadline() -> None:
    m = render(note(template="escalation", state="overdue", days=5))
    assert m.subject.startswith("Báo cáo quá hạn: Lễ kết nạp – Nguyễn Thị Hoà")
    assert "Bí thư chi bộ – Chi bộ Giáo viên chưa hoàn thành" in m.body


def test_an_email_carries_vietnamese_as_encoded_utf8_headers_and_body() -> None:
    settings = EmailSettings(from_address="nhac-han@ketnap.vn", from_name="Hệ thống nhắc hạn")
    m = render(note())
    raw = email_message(m, settings, "bt@example.vn").as_bytes()
    headers = raw.split(b"\n\n", 1)[0]
    assert headers.isascii() and b"=?utf-8?" in headers
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == m.subject
    assert parsed["From"].addresses[0].display_name == "Hệ thống nhắc hạn"
    assert parsed.get_content().rstrip("\n") == m.body
    assert parsed["X-Ketnap-Idempotency-Key"] == m.key
    again = message_from_bytes(email_message(m, settings, "bt@example.vn").as_bytes(), policy=policy.default)
    assert again["Message-ID"] == parsed["Message-ID"]  # derived from the key: a receiver can drop duplicates
