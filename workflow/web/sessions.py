"""The session cookie: a random session id (its row is in the database, workflow/sessions.py) and the CSRF
token every form carries, signed (itsdangerous) so that neither can be swapped for another value.

Before sign-in the cookie holds only a CSRF token (no id, no row), so the sign-in form is protected without
writing anything. The signing secret comes from KETNAP_SESSION_SECRET; outside production (KETNAP_ENV !=
production) a random one is made per process, which signs everybody out on restart. Ending a session (sign-out,
password change, deactivation, timeouts) happens on the row: an old cookie is refused at once.
"""

import hmac
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from workflow.config import SessionSecretMissing

logger = logging.getLogger(__name__)

COOKIE = "ketnap_session"
SECRET_ENV = "KETNAP_SESSION_SECRET"
MIN_SECRET_LENGTH = 32


def session_secret(environ: Mapping[str, str]) -> str:
    """Raises: SessionSecretMissing in production without a long enough KETNAP_SESSION_SECRET."""
    secret = environ.get(SECRET_ENV, "")
    if len(secret) >= MIN_SECRET_LENGTH:
        return secret
    if environ.get("KETNAP_ENV") == "production":
        raise SessionSecretMissing(f"set {SECRET_ENV} to a random string of at least {MIN_SECRET_LENGTH} "
                                   "characters (KETNAP_ENV=production)")
    logger.warning("%s is not set: using a random development secret (sessions end on restart)", SECRET_ENV)
    return secrets.token_urlsafe(48)


@dataclass(frozen=True)
class Session:
    session_id: str | None  # None before sign-in
    csrf: str

    def csrf_ok(self, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.csrf, submitted or "")


class SessionCodec:
    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="ketnap-session")
        self.max_age = max_age_seconds

    def new(self, session_id: str | None) -> Session:
        """A fresh CSRF token with every sign-in and sign-out, so an old form cannot be replayed."""
        return Session(session_id, secrets.token_urlsafe(24))

    def dump(self, session: Session) -> str:
        return self._serializer.dumps({"s": session.session_id, "c": session.csrf})

    def load(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        session_id = data.get("s")
        return Session(session_id if isinstance(session_id, str) else None, data["c"])
