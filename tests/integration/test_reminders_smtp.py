"""E-mail through a real SMTP server (aiosmtpd on 127.0.0.1, no mock of smtplib): the test reads back the
recipients, the subject and the Vietnamese UTF-8 body; STARTTLS and implicit TLS with credentials taken from the
environment; a refused recipient is a failed incident, an unreachable server is retried."""

import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from notifications.channels import build_channels
from notifications.settings import NotificationSettings
from storage.engine import make_engine
from tests.builders import settings
from tests.fakes import FrozenClock
from tests.integration.reminders_support import (
    EMAIL,
    add_contacts,
    add_orgs,
    at_local,
    deadline,
    outbox_rows,
    record_until,
    with_reminders,
)
from workflow.bootstrap import bootstrap
from workflow.reminders import Reminders
from workflow.service import Ketnap

LAST_ON = pytest.importorskip("datetime").date(2026, 11, 12)
USER, PASSWORD = "nhac-han", "mat-khau-thu-2026"
SENDER = "nhac-han@ketnap.example.vn"


@dataclass
class Sink:
    """An aiosmtpd handler that keeps every message; refuses recipients starting with 'nobody'."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802 - aiosmtpd hook
                          options: Any) -> str:
        if address.startswith("nobody"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        parsed = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword):
            self.logins.append((data.login, data.password))
            ok = (data.login, data.password) == (USER.encode(), PASSWORD.encode())
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                        str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as err:
        pytest.skip(f"openssl cannot make a test certificate: {err}")
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> Any:
    import ssl
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


@pytest.fixture
def smtp_app(sqlite_url: str, clock: FrozenClock) -> Iterator[tuple[Ketnap, str, Any]]:
    engine = make_engine(sqlite_url)
    app = bootstrap(settings(), engine=engine, clock=clock)
    add_orgs(app)
    add_contacts(engine)
    candidate = record_until(app, "hold_ceremony", LAST_ON)
    d = deadline(engine, candidate, "ceremony")
    clock.current = at_local(d.due_on - timedelta(days=7), 9)
    yield app, candidate, d
    engine.dispose()


def reminders_for(app: Ketnap, port: int, security: str, ca: Path | None = None,
                  environ: dict[str, str] | None = None) -> Reminders:
    notes = NotificationSettings.model_validate({"channels": {"email": {
        "transport": "smtp", "host": "127.0.0.1", "port": port, "security": security, "from_address": SENDER,
        "from_name": "Hệ thống nhắc hạn ketnap", "ca_file": str(ca) if ca else None, "timeout_seconds": 5}}})
    channels = build_channels(notes, environ or {})
    return Reminders(with_reminders(), app.engine, app.calendar, app.rulebook, channels)


def check_received(sink: Sink, candidate: str, d: Any) -> None:
    assert len(sink.received) == 1
    sender, recipients, message = sink.received[0]
    assert (sender, recipients) == (SENDER, [EMAIL["CB-01", "secretary"]])
    assert message["Subject"] == f"Nhắc hạn: Lễ kết nạp – Nguyễn Thị Hoà ({candidate}) – hạn {d.due_on:%d/%m/%Y}"
    assert message["From"].addresses[0].display_name == "Hệ thống nhắc hạn ketnap"
    assert message["X-Ketnap-Idempotency-Key"] == f"r:{d.id}:{d.due_on}:before-7:secretary"
    body = message.get_content()
    assert message.get_content_charset() == "utf-8"
    assert "Kính gửi: Bí thư chi bộ – Chi bộ Giáo viên" in body
    assert "Người vào Đảng: Nguyễn Thị Hoà" in body and "Tổ chức lễ kết nạp đảng viên" in body


def test_a_reminder_arrives_at_a_real_smtp_server_with_vietnamese_intact(smtp_app: Any, clock: FrozenClock) -> None:
    app, candidate, d = smtp_app
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        reminders_for(app, port, "none").run_once(clock.now())
    finally:
        controller.stop()
    check_received(sink, candidate, d)
    assert [r.status for r in outbox_rows(app.engine, deadline_id=d.id)] == ["sent"]


def test_starttls_with_credentials_from_the_environment(smtp_app: Any, clock: FrozenClock,
                                                        certificate: tuple[Path, Path]) -> None:
    app, candidate, d = smtp_app
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, tls_context=server_context(certificate),
                            require_starttls=True, authenticator=sink.authenticate, auth_required=True)
    controller.start()
    try:
        reminders_for(app, port, "starttls", certificate[0],
                      {"KETNAP_SMTP_USERNAME": USER, "KETNAP_SMTP_PASSWORD": PASSWORD}).run_once(clock.now())
    finally:
        controller.stop()
    assert sink.logins == [(USER.encode(), PASSWORD.encode())]
    check_received(sink, candidate, d)


def test_implicit_tls(smtp_app: Any, clock: FrozenClock, certificate: tuple[Path, Path]) -> None:
    app, candidate, d = smtp_app
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, ssl_context=server_context(certificate))
    controller.start()
    try:
        reminders_for(app, port, "tls", certificate[0]).run_once(clock.now())
    finally:
        controller.stop()
    check_received(sink, candidate, d)


def test_wrong_credentials_and_refused_recipients_are_failed_incidents(smtp_app: Any, clock: FrozenClock,
                                                                      certificate: tuple[Path, Path]) -> None:
    app, _, d = smtp_app
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, tls_context=server_context(certificate),
                            require_starttls=True, authenticator=sink.authenticate, auth_required=True)
    controller.start()
    try:
        wrong = {"KETNAP_SMTP_USERNAME": USER, "KETNAP_SMTP_PASSWORD": "sai"}
        reminders_for(app, port, "starttls", certificate[0], wrong).run_once(clock.now())
        row = outbox_rows(app.engine, deadline_id=d.id)[0]
        assert (row.status, row.problem) == ("failed", "delivery"), row.last_error
        assert "535" in row.last_error
        add_contacts(app.engine, {("CB-01", "secretary"): "nobody@example.vn"})
        good = {"KETNAP_SMTP_USERNAME": USER, "KETNAP_SMTP_PASSWORD": PASSWORD}
        reminders = reminders_for(app, port, "starttls", certificate[0], good)
        reminders.retry(row.id, clock.now())
        reminders.dispatch(clock.now())
    finally:
        controller.stop()
    row = outbox_rows(app.engine, deadline_id=d.id)[0]
    assert (row.status, row.problem) == ("failed", "delivery") and "550" in row.last_error
    assert sink.received == []


def test_credentials_are_never_sent_without_tls(smtp_app: Any, clock: FrozenClock) -> None:
    app, _, d = smtp_app
    reminders_for(app, free_port(), "none", None,
                  {"KETNAP_SMTP_USERNAME": USER, "KETNAP_SMTP_PASSWORD": PASSWORD}).run_once(clock.now())
    row = outbox_rows(app.engine, deadline_id=d.id)[0]
    assert row.status == "failed" and "without TLS" in row.last_error


def test_an_unreachable_server_is_retried_later(smtp_app: Any, clock: FrozenClock) -> None:
    app, _, d = smtp_app
    reminders_for(app, free_port(), "none").run_once(clock.now())
    row = outbox_rows(app.engine, deadline_id=d.id)[0]
    assert (row.status, row.attempts) == ("pending", 1) and "ConnectionRefused" in row.last_error
