"""Delivery channels: e-mail over SMTP, a signed webhook, a log file for development, and an in-memory channel
for tests. Each raises TransientDeliveryError (try later) or PermanentDeliveryError (someone must act).

Secrets come from environment variables named in config.yaml, never from the file itself.
"""

import hashlib
import hmac
import json
import logging
import smtplib
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address as EmailAddress
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from notifications.errors import PermanentDeliveryError, TransientDeliveryError
from notifications.message import RenderedMessage
from notifications.settings import EmailSettings, NotificationSettings, WebhookSettings

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)

IDEMPOTENCY_HEADER = "Idempotency-Key"
SIGNATURE_HEADER = "X-Ketnap-Signature"
TIMESTAMP_HEADER = "X-Ketnap-Timestamp"
KEY_EMAIL_HEADER = "X-Ketnap-Idempotency-Key"


class Channel(Protocol):
    def send(self, message: RenderedMessage, target: str) -> None: ...

    def close(self) -> None: ...


# --- in memory (tests, development) -------------------------------------------------------------------------

@dataclass
class InMemoryChannel:
    """Keeps what it was given; fails the first `fail_first` sends, transiently unless `permanent`."""

    fail_first: int = 0
    permanent: bool = False
    sent: list[tuple[str, RenderedMessage]] = field(default_factory=list)
    attempts: int = 0

    def send(self, message: RenderedMessage, target: str) -> None:
        self.attempts += 1
        if self.attempts <= self.fail_first:
            error = PermanentDeliveryError if self.permanent else TransientDeliveryError
            raise error("memory", target, f"scripted failure {self.attempts} of {self.fail_first}")
        self.sent.append((target, message))

    def close(self) -> None:
        return None


# --- log file (development) ---------------------------------------------------------------------------------

class LogChannel:
    """Writes each message as one JSON line (UTF-8) to `path` and to the Python log."""

    def __init__(self, name: str, path: str | None = None) -> None:
        self.name, self.path = name, Path(path) if path else None
        self._lock = threading.Lock()

    def send(self, message: RenderedMessage, target: str) -> None:
        record = {"channel": self.name, "to": target, "key": message.key, "language": message.language,
                  "late": message.late, "subject": message.subject, "body": message.body}
        logger.info("%s to %s: %s", self.name, target, message.subject)
        if self.path is None:
            return
        try:
            with self._lock, self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as err:
            raise TransientDeliveryError(self.name, target, f"cannot write {self.path}: {err}") from err

    def close(self) -> None:
        return None


# --- e-mail ----------------------------------------------------------------------------------------------------

def email_message(message: RenderedMessage, settings: EmailSettings, to: str) -> EmailMessage:
    """A MIME message: non-ASCII headers as RFC 2047 UTF-8 words, the body UTF-8 quoted-printable; the
    Message-ID derives from the idempotency key, so a receiver can drop a duplicate."""
    msg = EmailMessage()
    msg["Subject"] = message.subject
    msg["From"] = EmailAddress(display_name=settings.from_name, addr_spec=settings.from_address)
    msg["To"] = to
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = f"<{hashlib.sha256(message.key.encode()).hexdigest()[:32]}@ketnap>"
    msg[KEY_EMAIL_HEADER] = message.key
    if message.late:
        msg["X-Ketnap-Late"] = "yes"
    msg.set_content(message.body, charset="utf-8", cte="quoted-printable")
    return msg


class SmtpChannel:
    """SMTP with STARTTLS or implicit TLS; one connection is reused across a dispatch pass."""

    name = "email"

    def __init__(self, settings: EmailSettings, username: str | None = None, password: str | None = None) -> None:
        self.settings, self.username, self.password = settings, username, password
        self._conn: smtplib.SMTP | None = None

    def _connect(self, target: str) -> smtplib.SMTP:
        s = self.settings
        if self.username and s.security == "none":
            raise PermanentDeliveryError(self.name, target, "refusing to send SMTP credentials without TLS "
                                         "(set notifications.channels.email.security to starttls or tls)")
        context = ssl.create_default_context(cafile=s.ca_file)
        conn: smtplib.SMTP
        if s.security == "tls":
            conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout_seconds, context=context)
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout_seconds)
            if s.security == "starttls":
                conn.starttls(context=context)
        if self.username:
            conn.login(self.username, self.password or "")
        return conn

    def send(self, message: RenderedMessage, target: str) -> None:
        reused = self._conn is not None
        try:
            self._send(message, target)
        except smtplib.SMTPServerDisconnected as err:
            self._drop()
            if not reused:
                raise _classify(err, target) from err
            self._send_once_more(message, target)  # the server closed an idle connection
        except (smtplib.SMTPException, OSError, UnicodeError) as err:
            self._drop()
            raise _classify(err, target) from err

    def _send_once_more(self, message: RenderedMessage, target: str) -> None:
        try:
            self._send(message, target)
        except (smtplib.SMTPException, OSError) as err:
            self._drop()
            raise _classify(err, target) from err

    def _send(self, message: RenderedMessage, target: str) -> None:
        if self._conn is None:
            self._conn = self._connect(target)
        self._conn.send_message(email_message(message, self.settings, target), to_addrs=[target])

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()


def _classify(err: Exception, target: str) -> TransientDeliveryError | PermanentDeliveryError:
    """5xx replies, refused recipients, bad credentials and certificate problems need a person; the rest
    (4xx replies, timeouts, refused connections) may pass on a later try."""
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in err.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        kind = PermanentDeliveryError if permanent else TransientDeliveryError
        return kind("email", target, f"recipient refused: {err.recipients}")
    if isinstance(err, smtplib.SMTPAuthenticationError | ssl.SSLCertVerificationError):
        return PermanentDeliveryError("email", target, str(err))
    if isinstance(err, UnicodeError):  # smtplib sends credentials as ASCII only
        return PermanentDeliveryError("email", target, f"SMTP credentials must be ASCII: {err}")
    if isinstance(err, smtplib.SMTPResponseException) and err.smtp_code >= 500:
        return PermanentDeliveryError("email", target, f"{err.smtp_code} {err.smtp_error!r}")
    return TransientDeliveryError("email", target, f"{type(err).__name__}: {err}")


# --- webhook -------------------------------------------------------------------------------------------------

def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp.body`, hex; sent as `X-Ketnap-Signature: sha256=<hex>`."""
    return hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


class WebhookChannel:
    """POSTs the message as JSON, signed; the idempotency key is in the payload and the `Idempotency-Key`
    header so a receiver can drop the one duplicate a crash mid-delivery may cause."""

    name = "webhook"

    def __init__(self, secret: str | None, settings: WebhookSettings | None = None,
                 client: "httpx.Client | None" = None) -> None:
        self.settings = settings or WebhookSettings()
        self.secret = secret.encode("utf-8") if secret else None
        self._client = client

    def send(self, message: RenderedMessage, target: str) -> None:
        if self.secret is None:
            raise PermanentDeliveryError(self.name, target, f"the webhook secret is not set: export "
                                         f"{self.settings.secret_env}")
        body = json.dumps(message.data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json; charset=utf-8", IDEMPOTENCY_HEADER: message.key,
                   TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: "sha256=" + signature(self.secret, stamp, body)}
        import httpx  # the webhook's client loads with the first delivery, not with every command (issue 14)

        try:
            response = self._http().post(target, content=body, headers=headers)
        except httpx.HTTPError as err:
            raise TransientDeliveryError(self.name, target, f"{type(err).__name__}: {err}") from err
        if response.is_success:
            return
        reason = f"HTTP {response.status_code} {response.text[:200]!r}"
        if response.status_code in (408, 425, 429) or response.status_code >= 500:
            raise TransientDeliveryError(self.name, target, reason)
        raise PermanentDeliveryError(self.name, target, reason)

    def _http(self) -> "httpx.Client":
        import httpx

        if self._client is None:
            self._client = httpx.Client(timeout=self.settings.timeout_seconds, follow_redirects=False)
        return self._client

    def close(self) -> None:
        return None  # the client keeps its connection pool between passes


def build_channels(settings: NotificationSettings, environ: Mapping[str, str]) -> dict[str, Channel]:
    """The production channels named by config.yaml, with secrets read from `environ`."""
    c = settings.channels
    log_path = c.log.path
    email: Channel
    if c.email.transport == "smtp":
        email = SmtpChannel(c.email, environ.get(c.email.username_env), environ.get(c.email.password_env))
    else:
        email = LogChannel("email", log_path)
    webhook: Channel = (WebhookChannel(environ.get(c.webhook.secret_env), c.webhook)
                        if c.webhook.transport == "http" else LogChannel("webhook", log_path))
    return {"email": email, "webhook": webhook}
