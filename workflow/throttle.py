"""Sign-in throttling (issue 11): failures per account and per client address, counted in the database so that
every process and restart sees them; an exponential delay, then a lockout that refuses even the right password.

Attempts made while a key is delayed count as failures (a script that ignores the delay reaches the lockout);
attempts during a lockout are refused and logged but do not prolong it. A success clears the account's count,
never the address's (one valid account must not reset the count of an address spraying others).
"""

import logging
import math
import unicodedata
from datetime import datetime, timedelta

from storage import sign_ins
from storage.sign_ins import Attempts
from storage.users import User
from workflow import accounts
from workflow.access import AccessDenied
from workflow.config import SignInSettings
from workflow.errors import (
    SignInThrottled as SignInThrottled,  # re-exported: its home is workflow/errors.py (no tables)
)
from workflow.service import Ketnap

logger = logging.getLogger(__name__)

ACCOUNT, ADDRESS = "account", "address"


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    account = unicodedata.normalize("NFC", username.strip())[:255]
    return [(ACCOUNT, account), (ADDRESS, (address or "unknown")[:255])]


def _limits(s: SignInSettings, scope: str) -> tuple[int, int]:
    return (s.account_delay_after, s.account_lockout_after) if scope == ACCOUNT else \
        (s.address_delay_after, s.address_lockout_after)


def _locked_out(a: Attempts, s: SignInSettings, now: datetime) -> bool:
    return a.failures >= _limits(s, a.scope)[1] and a.blocked_until is not None and a.blocked_until > now


def _block(scope: str, failures: int, s: SignInSettings, now: datetime) -> datetime | None:
    """Until when `failures` failures block the key: a lockout, a doubling delay, or nothing yet."""
    delay_after, lockout_after = _limits(s, scope)
    if failures >= lockout_after:
        return now + timedelta(minutes=s.lockout_minutes)
    if failures >= delay_after:
        exponent = min(failures - delay_after, 30)
        return now + timedelta(seconds=min(s.first_delay_seconds * 2 ** exponent, s.max_delay_seconds))
    return None


def _counted(a: Attempts, s: SignInSettings, now: datetime) -> Attempts:
    """`a` with one more failure at `now`; counts older than a lockout are forgotten first."""
    stale = a.last_failed_at <= now - timedelta(minutes=s.lockout_minutes) and not (
        a.blocked_until and a.blocked_until > now)
    failures = 1 if stale else a.failures + 1
    return Attempts(a.scope, a.subject, failures, now, _block(a.scope, failures, s, now))


def _fail(app: Ketnap, keys: list[tuple[str, str]], now: datetime, checked: bool) -> list[Attempts]:
    """Count one failed attempt (`checked`: its password was wrong; else it came during a delay) for every key
    not locked out, in one transaction that locks the keys' rows; returns the keys' counts after it."""
    s = app.settings.web.sign_in
    after: list[Attempts] = []
    with app.uow.transaction() as tx:
        for a in sign_ins.locked(tx.conn, keys, now):
            if _locked_out(a, s, now):
                after.append(a)
                continue
            new = _counted(a, s, now)
            sign_ins.save(tx.conn, new)
            after.append(new)
            if new.failures == _limits(s, a.scope)[1]:
                logger.warning("sign-in lockout of %s %r after %d failures, until %s", a.scope, a.subject,
                               new.failures, new.blocked_until)
        sign_ins.purge(tx.conn, now - timedelta(minutes=s.lockout_minutes), now)
    if checked:  # an attempt refused unchecked is logged with its refusal by `sign_in`
        logger.warning("failed sign-in as %r from %s: wrong username or password", keys[0][1], keys[1][1])
    return after


def _refusal(counts: list[Attempts], s: SignInSettings, now: datetime) -> SignInThrottled | None:
    until = [a.blocked_until for a in counts if a.blocked_until is not None and a.blocked_until > now]
    if not until:
        return None
    retry_after = max(1, math.ceil((max(until) - now).total_seconds()))
    return SignInThrottled(retry_after, any(_locked_out(a, s, now) for a in counts))


def sign_in(app: Ketnap, username: str, password: str, address: str | None) -> User | None:
    """The user with this username and password, or None; a blocked account or address is refused before its
    password is checked.

    Raises:
        SignInThrottled: with the seconds until the next attempt may succeed.
    """
    s, now, keys = app.settings.web.sign_in, app.clock.now(), _keys(username, address)
    with app.uow.reading() as tx:
        blocked = _refusal(sign_ins.current(tx.conn, keys), s, now)
    if blocked is not None:
        refusal = _refusal(_fail(app, keys, now, checked=False), s, now) or blocked
        logger.warning("sign-in as %r from %s refused for %d s: %s", keys[0][1], keys[1][1],
                       refusal.retry_after, refusal)
        raise refusal
    user = accounts.authenticate(app, username, password)
    if user is None:
        _fail(app, keys, now, checked=True)
        return None
    with app.uow.transaction() as tx:
        sign_ins.clear(tx.conn, *keys[0])
    return user


def check_current_password(app: Ketnap, user: User, password: str, address: str | None) -> None:
    """Before a password change: the current password, counted like a sign-in, so a borrowed session cannot
    guess it faster than the sign-in form could.

    Raises:
        SignInThrottled; AccessDenied (`wrong_password`).
    """
    if sign_in(app, user.username, password, address) is None:
        raise AccessDenied("wrong_password", "the current password is wrong")
