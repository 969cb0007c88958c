"""Reminder dispatch to a local SMTP sink (aiosmtpd on 127.0.0.1), in messages per second, next to plain
`smtplib` sending the same number of ready-made messages to the same sink in the same run (issue 3).

    .venv/bin/python -m benchmarks.bench_dispatch [--size 2000] [--pg URL]

- baseline: one `smtplib.SMTP` connection, `send_message` of pre-built messages: the sink's own ceiling.
- dispatch, memory channel: `Reminders.dispatch` with an in-memory channel: claim, resolve the recipient,
  render the templates, settle each row in its own transaction; what the database and Python cost.
- dispatch, SMTP: the same with the SMTP channel (one connection reused per pass).
Every row is marked sent before the next message goes, so a crash re-sends at most the one in flight.
"""

import argparse
import smtplib
import socket
import time
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import Engine, delete, update

from benchmarks.common import NOW, app_on, machine_line, print_table, scratch_dir, scratch_engine
from notifications.channels import Channel, InMemoryChannel, SmtpChannel
from notifications.settings import EmailSettings
from storage import contacts
from storage.contacts import Contact
from storage.outbox import OUTBOX
from storage.projections import CANDIDATES, DEADLINES
from workflow.config import Settings, load_settings
from workflow.reminders import Reminders

TODAY = NOW.date()
ORG = "CB-GV"


class CountingSink:
    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, *_: Any) -> str:  # noqa: N802 - aiosmtpd hook (server, session, envelope)
        self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(engine: Engine, settings: Settings, size: int) -> None:
    """`size` candidates of one branch with an overdue ceremony each, and the branch secretary's e-mail."""
    app_on(engine, settings)
    with engine.begin() as conn:
        contacts.put(conn, Contact(ORG, "secretary", email="bithu@example.vn"))
        conn.execute(CANDIDATES.insert(), [
            {"id": f"c{i:06d}", "org": ORG, "stage": "admitted", "version": 12, "full_name": f"Nguyễn Văn Số {i}",
             "search_name": f"nguyen van so {i}", "sex": "M", "education": "university", "youth_union": False,
             "trade_union": False, "categories": [], "updated_at": NOW} for i in range(size)])
        conn.execute(DEADLINES.insert(), [
            {"stream_id": f"c{i:06d}", "org": ORG, "kind": "ceremony", "due_on": TODAY - timedelta(days=1),
             "opened_on": TODAY - timedelta(days=40), "status": "open", "rule_set": "qd294-2025",
             "calendar": "bench"} for i in range(size)])


def requeue(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(OUTBOX).values(status="pending", attempts=0, available_at=NOW, lease_until=None,
                                           claimed_by=None, sent_at=None))


def dispatch_rate(engine: Engine, settings: Settings, channel: Callable[[], Channel]) -> tuple[int, float]:
    reminders = Reminders(settings, engine, settings.working_calendar(), settings.rulebook(), {"email": channel()})
    started, sent = time.perf_counter(), 0
    while True:
        report = reminders.dispatch(NOW)
        sent += report.sent
        if not report.handled:
            break
    return sent, time.perf_counter() - started


def smtplib_rate(port: int, size: int) -> tuple[int, float]:
    messages = []
    for i in range(size):
        m = EmailMessage()
        m["Subject"], m["From"], m["To"] = f"Nhắc hạn: Lễ kết nạp – Nguyễn Văn Số {i}", "k@example.vn", "b@example.vn"
        m.set_content("Kính gửi: Bí thư chi bộ – Chi bộ Giáo viên\n" * 12, charset="utf-8", cte="quoted-printable")
        messages.append(m)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as conn:
        for m in messages:
            conn.send_message(m)
    return size, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="reminders to deliver")
    parser.add_argument("--pg", help="a PostgreSQL server URL; the benchmark creates and drops its own database")
    args = parser.parse_args(argv)
    settings = load_settings()
    settings = settings.model_copy(update={"reminders": settings.reminders.model_copy(update={
        "digest": settings.reminders.digest.model_copy(update={"enabled": False}),
        "delivery": settings.reminders.delivery.model_copy(update={"max_per_run": 100_000})})})
    sink, port = CountingSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    smtp = EmailSettings(transport="smtp", host="127.0.0.1", port=port, security="none",
                         from_address="nhac-han@example.vn", from_name="Hệ thống nhắc hạn ketnap")
    with scratch_dir() as folder, scratch_engine(folder, "dispatch.db", args.pg) as engine:
        try:
            seed(engine, settings, args.size)
            created = Reminders(settings, engine, settings.working_calendar(), settings.rulebook(), {}).sweep(NOW)
            assert created.created == args.size, created
            base = smtplib_rate(port, args.size)
            memory = dispatch_rate(engine, settings, InMemoryChannel)
            requeue(engine)
            before = sink.count
            real = dispatch_rate(engine, settings, lambda: SmtpChannel(smtp))
            assert sink.count - before == args.size == real[0], (sink.count, before, real)
            with engine.begin() as conn:
                conn.execute(delete(OUTBOX))
        finally:
            controller.stop()
    rate = {name: n / s for name, (n, s) in (("base", base), ("memory", memory), ("smtp", real))}
    print(f"reminder dispatch, {args.size:,} messages, {engine.dialect.name}; {machine_line()}")
    print_table(["path", "messages", "seconds", "messages/s", "x smtplib"], [
        ["smtplib, one connection (baseline)", base[0], base[1], rate["base"], 1.0],
        ["dispatch, in-memory channel", memory[0], memory[1], rate["memory"], rate["memory"] / rate["base"]],
        ["dispatch, SMTP to the sink", real[0], real[1], rate["smtp"], rate["smtp"] / rate["base"]],
    ])


if __name__ == "__main__":
    main()
