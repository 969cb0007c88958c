"""`ketnap scheduler` as OS processes delivering to a webhook receiver on 127.0.0.1: shared by the reminder tests
(tests/integration/reminders_support.py re-exports them) and benchmarks/national.py's deliveries."""

import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from time import monotonic, sleep
from typing import Any

import yaml

from workflow.config import DEFAULT_CONFIG

SECRET = "webhook-secret-for-tests"
STARTED = "scheduler started"


def ketnap_executable() -> list[str]:
    found = Path(sys.executable).with_name("ketnap")
    return [str(found)] if found.exists() else [shutil.which("ketnap") or "ketnap"]


def write_config(path: Path, reminders: Mapping[str, Any], notifications: Mapping[str, Any]) -> Path:
    """config.yaml of the repository with the reminders and notifications blocks changed as given."""
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    for block, changes in (("reminders", reminders), ("notifications", notifications)):
        for key, value in changes.items():
            current = raw[block].get(key)
            raw[block][key] = {**current, **value} if isinstance(current, dict) and isinstance(value, dict) \
                else value
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def start_scheduler(config: Path, db_url: str, log: Path, *extra: str,
                    env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    environ = {**os.environ, **(env or {})}
    environ.pop("KETNAP_DATABASE_URL", None)
    with log.open("ab") as out:
        return subprocess.Popen([*ketnap_executable(), "--config", str(config), "--db", db_url, "scheduler", *extra],
                                stdout=out, stderr=subprocess.STDOUT, env=environ)



SWEEP_FAST = {"sweep_every_seconds": 0.5, "dispatch_every_seconds": 0.2, "heartbeat_seconds": 0.5,
              "lock_ttl_seconds": 5}


def fast_policy(lease_seconds: float = 30) -> dict[str, Any]:
    return {"scheduler": SWEEP_FAST, "digest": {"enabled": False},
            "delivery": {"batch_size": 10, "max_attempts": 20, "backoff_seconds": 0.1, "backoff_max_seconds": 0.5,
                         "lease_seconds": lease_seconds, "max_per_run": 200}}


def wait_until(condition: Any, timeout: float, step: float = 0.05) -> bool:
    end = monotonic() + timeout
    while monotonic() < end:
        if condition():
            return True
        sleep(step)
    return bool(condition())



# --- a webhook receiver on 127.0.0.1 that checks signatures itself --------------------------------------------

@dataclass
class Delivery:
    key_header: str | None
    payload: dict[str, Any]
    signed: bool
    status: int
    at: float = field(default_factory=monotonic)  # when it arrived: a benchmark's first-to-last rate


@dataclass
class WebhookReceiver:
    """http.server in a thread. Verifies `X-Ketnap-Signature: sha256=HMAC(secret, timestamp + "." + body)`
    with its own code; answers 401 to a bad signature, 503 to the first `fail_first` requests, else 200."""

    secret: bytes
    fail_first: int = 0
    delay: float = 0.0
    deliveries: list[Delivery] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _requests: int = 0

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stamp = self.headers.get("X-Ketnap-Timestamp", "")
                expected = "sha256=" + hmac.new(receiver.secret, stamp.encode() + b"." + body,
                                                hashlib.sha256).hexdigest()
                signed = hmac.compare_digest(expected, self.headers.get("X-Ketnap-Signature", ""))
                status = receiver._status(signed)
                if receiver.delay:
                    sleep(receiver.delay)
                with receiver._lock:
                    receiver.deliveries.append(Delivery(self.headers.get("Idempotency-Key"),
                                                        json.loads(body.decode("utf-8")), signed, status))
                self.send_response(status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ARG002 - silence the access log
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _status(self, signed: bool) -> int:
        with self._lock:
            self._requests += 1
            if not signed:
                return 401
            return 503 if self._requests <= self.fail_first else 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/ketnap"

    def accepted(self) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.status == 200]

    def __enter__(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()






def output(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 30) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


