"""Sessions in signed cookies (itsdangerous) and the CSRF token every form carries.

The cookie holds only the user id and the CSRF token, signed and time-stamped; the user is read again on every
request, so a deactivated user is out at once. The secret comes from KETNAP_SESSION_SECRET; outside production
(KETNAP_ENV != production) a random one is made per process, which signs everybody out on restart.
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
    user_id: int | None
    csrf: str

    def csrf_ok(self, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(self.csrf, submitted or "")


class SessionCodec:
    def __init__(self, secret: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="ketnap-session")
        self.max_age = max_age_seconds

    def new(self, user_id: int | None) -> Session:
        """A fresh CSRF token with every sign-in and sign-out, so an old form cannot be replayed."""
        return Session(user_id, secrets.token_urlsafe(24))

    def dump(self, session: Session) -> str:
        return self._serializer.dumps({"u": session.user_id, "c": session.csrf})

    def load(self, cookie: str | None) -> Session | None:
        if not cookie:
            return None
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or not isinstance(data.get("c"), str):
            return None
        user_id = data.get("u")
        return Session(user_id if isinstance(user_id, int) else None, data["c"])
