"""benchmarks/national.py's deliveries: one day of reminders on the national data set sent by three `ketnap
scheduler` processes on the same database to a webhook receiver on 127.0.0.1, each message counted by its
Idempotency-Key (issue 14: "each arrives exactly once"), next to the receiver's own rate for as many plain signed
POSTs from three threads.

The day is the schedulers' own (the real clock): the sweep of today is run here first, so their catch-up sweep at
start finds it written (keys are UNIQUE) and the queue is what they drain. Every organisation gets a webhook
contact for both roles (the generated set has none). The run stops when no row is pending or being sent, or after
`seconds`: a row left then is reported, not counted missing; a row marked sent that never arrived is missing.
"""

import hashlib
import hmac
import json
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

from benchmarks.common import run_threads
from benchmarks.scheduler_processes import (
    SECRET,
    SWEEP_FAST,
    WebhookReceiver,
    fast_policy,
    output,
    start_scheduler,
    stop,
    wait_until,
    write_config,
)
from storage.contacts import ROLES
from storage.engine import make_engine
from workflow.bootstrap import bootstrap, reminders_for
from workflow.config import load_settings

SCHEDULERS = 3
BASELINE_CAP = 3_000  # plain POSTs at most: the receiver's rate settles long before


def deliveries(url: str, dsn: str, seconds: float) -> dict[str, Any]:
    """Sweep today, start three schedulers, wait until the outbox is drained (or `seconds`), stop them; the
    figures of the run."""
    with tempfile.TemporaryDirectory(prefix="ketnap-deliveries-") as tmp, \
            WebhookReceiver(SECRET.encode()) as receiver:
        _contacts(dsn, receiver.url)
        swept, sweep_seconds = _sweep_today(url)
        queued = _open_rows(dsn)
        # Sweeping again every 0.5 s (SWEEP_FAST) would have three processes re-reading every open deadline
        # without a pause on 2 cores: the catch-up sweep at start is enough for one day.
        policy = {"scheduler": {**SWEEP_FAST, "sweep_every_seconds": 3600},
                  "delivery": fast_policy(lease_seconds=60)["delivery"]}
        config = write_config(Path(tmp) / "config.yaml", policy,
                              {"channels": {"webhook": {"transport": "http", "timeout_seconds": 5}}})
        logs = [Path(tmp) / f"scheduler-{n}.log" for n in range(SCHEDULERS)]
        since, started = datetime.now(UTC), time.monotonic()
        processes = [start_scheduler(config, url, log, env={"KETNAP_WEBHOOK_SECRET": SECRET}) for log in logs]
        try:
            drained = wait_until(lambda: _open_rows(dsn) == 0, seconds, step=0.2)
            wall = time.monotonic() - started
        finally:
            codes = [stop(p) for p in processes]
        if codes != [0] * SCHEDULERS:
            raise RuntimeError(f"schedulers exited {codes}: " + "\n".join(output(log)[-1500:] for log in logs))
        accepted = receiver.accepted()
    per_key = Counter(d.key_header for d in accepted)
    with psycopg.connect(dsn) as conn:
        sent = [k for (k,) in conn.execute("SELECT key FROM outbox WHERE status = 'sent' AND sent_at >= %s",
                                           (since,))]
        statuses: dict[str, int] = dict(conn.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    arrivals = sorted(d.at for d in accepted)
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else 0.0
    body = json.dumps(accepted[0].payload).encode() if accepted else b"{}"
    return {"swept": swept, "sweep_seconds": sweep_seconds, "queued": queued, "drained": drained, "wall": wall,
            "messages": len(per_key), "span": span, "rate": len(per_key) / span if span else 0.0,
            "duplicates": sum(n - 1 for n in per_key.values() if n > 1),
            "missing": sum(1 for k in sent if per_key[k] == 0), "left": _open_rows(dsn), "statuses": statuses,
            "baseline": _plain_posts(min(max(len(per_key), 30), BASELINE_CAP), body)}


def rows(r: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The section's table: what, how many, seconds, per second."""
    how = "drained" if r["drained"] else f"stopped with {r['left']:,} rows still queued"
    return [
        (f"sweep of today (real clock): {r['swept']:,} rows written", "-", round(r["sweep_seconds"], 2), "-"),
        (f"3 schedulers, webhook to 127.0.0.1: {r['queued']:,} queued, {how} after {r['wall']:.1f} s "
         f"(start-up included)", r["messages"], round(r["span"], 2), round(r["rate"], 1)),
        ("duplicates (must be 0) / missing (must be 0)", f"{r['duplicates']} / {r['missing']}", "-", "-"),
        (f"baseline: the receiver, {r['baseline'][0]:,} plain signed POSTs from 3 threads", r["baseline"][0],
         round(r["baseline"][1], 2), round(r["baseline"][0] / r["baseline"][1], 1)),
    ]


def _contacts(dsn: str, webhook: str) -> None:
    """A webhook contact for both roles of every organisation, pointing at this run's receiver."""
    with psycopg.connect(dsn) as conn:
        conn.execute("INSERT INTO contact (org, role, webhook_url, language, updated_at) "
                     "SELECT code, role, %s, 'vi', now() FROM organisation, unnest(%s::text[]) AS role "
                     "ON CONFLICT (org, role) DO UPDATE SET webhook_url = EXCLUDED.webhook_url",
                     (webhook, list(ROLES)))


def _sweep_today(url: str) -> tuple[int, float]:
    app = bootstrap(load_settings(), engine=make_engine(url))
    try:
        started = time.perf_counter()
        report = reminders_for(app, channels={}).sweep(datetime.now(UTC))
        return report.created + report.digests + report.reports, time.perf_counter() - started
    finally:
        app.engine.dispose()


def _open_rows(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        found = conn.execute("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()
    return int(found[0]) if found else 0


def _plain_posts(count: int, body: bytes) -> tuple[int, float]:
    """`count` POSTs of a delivered message's body, signed as the webhook channel signs, from 3 threads to a
    receiver of their own; (count, wall seconds)."""
    with WebhookReceiver(SECRET.encode()) as receiver:
        def worker(n: int) -> None:
            with httpx.Client(timeout=30) as client:
                for k in range(n, count, SCHEDULERS):
                    stamp = str(int(time.time()))
                    signature = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                    client.post(receiver.url, content=body, headers={
                        "Content-Type": "application/json", "Idempotency-Key": f"plain-{k}",
                        "X-Ketnap-Timestamp": stamp, "X-Ketnap-Signature": f"sha256={signature}"})

        wall = run_threads(worker, [(n,) for n in range(SCHEDULERS)])
        assert len(receiver.accepted()) == count, "the baseline's receiver refused some POSTs"
    return count, wall
