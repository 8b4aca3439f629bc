"""One limiter for password guesses: the login page and the API's token endpoint share it.

Only failures count, so people who type the right password are never slowed however many
share an address (a classroom's Wi-Fi, a portal's server). Three counters slow guessing:

- **the client's address**, on any account: after ADDRESS.free failures every next try from
  there waits, the wait doubling up to an hour. Only the guessing client is slowed this hard.
- **one account from one address**: the same client guessing one account waits after a few
  failures, doubling up to a quarter of an hour (the rightful person who forgot their
  password reads how long, and that a new password is one mail away).
- **one account from everywhere**: after many failures on an account (from any number of
  addresses), every client waits a short, bounded time (at most ACCOUNT.max_wait seconds)
  before its next try on that account. The wait is reserved per client: once it has passed,
  that client's next try is checked, whatever anybody else does meanwhile. Nobody can keep
  the rightful person out with failures of their own: after at most that short wait their
  password works.

Accounts are counted by the email address as typed (normalised), known or not, so the
limiter answers alike for unknown addresses and says nothing about who has an account.
Counters live in Redis under hashed keys (no email or IP address is stored there) and use
the College's clock; when Redis cannot be reached every try is let through and a warning is
logged (the limiter fails open, as Flask-Limiter does for the other limits).
"""

from __future__ import annotations

import hashlib
import logging
import math
import uuid
from dataclasses import dataclass

import redis
from flask_babel import gettext as _
from flask_babel import ngettext

from college import timeutil
from college.errors import TooManyAttempts
from college.jobs import redis_connection

log = logging.getLogger(__name__)

_PREFIX = "college:passwords"
#: Failures kept per counter; the waits stop growing long before this.
_KEEP = 100


@dataclass(frozen=True)
class Slowdown:
    """How one counter slows guessing: free failures, then a doubling wait up to a maximum."""

    scope: str
    free: int
    first_wait: int
    max_wait: int
    #: Failures older than this many seconds are forgotten.
    window: int

    def wait_after(self, failures: int) -> int:
        """Seconds to wait after this many recent failures (0: try at once)."""
        if failures < self.free:
            return 0
        return min(self.first_wait * 2 ** (failures - self.free), self.max_wait)


#: Failures from one client address, on any account.
ADDRESS = Slowdown("address", free=20, first_wait=60, max_wait=3600, window=900)
#: Failures on one account from one client address.
ACCOUNT_FROM_ADDRESS = Slowdown("account-address", free=3, first_wait=5, max_wait=900, window=900)
#: Failures on one account from all addresses together: short and bounded.
ACCOUNT = Slowdown("account", free=5, first_wait=2, max_wait=30, window=900)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _account(email: str | None) -> str:
    return _digest("email:" + (email or "").strip().lower()[:254])


def _keys(email: str | None, address: str | None) -> dict[str, str]:
    account, client = _account(email), _digest("address:" + (address or "unknown"))
    return {
        ADDRESS.scope: f"{_PREFIX}:address:{client}",
        ACCOUNT_FROM_ADDRESS.scope: f"{_PREFIX}:account-address:{account}:{client}",
        ACCOUNT.scope: f"{_PREFIX}:account:{account}",
        "pass": f"{_PREFIX}:pass:{account}:{client}",
    }


def _unreachable(error: redis.exceptions.RedisError) -> None:
    log.warning("Rate limit storage unreachable for password attempts (%s): "
                "not slowing guesses until Redis answers again", error)


def _message(scope: str, seconds: int) -> str:
    if seconds < 60:
        wait = ngettext("%(num)d second", "%(num)d seconds", seconds)
    else:
        wait = ngettext("%(num)d minute", "%(num)d minutes", math.ceil(seconds / 60))
    if scope == ADDRESS.scope:
        return _("Many wrong passwords were typed from this connection. Wait %(wait)s, "
                 "then try again.", wait=wait)
    if scope == ACCOUNT_FROM_ADDRESS.scope:
        return _("That was several wrong passwords in a row. Wait %(wait)s, then try again, "
                 "or choose a new password with \"Forgot your password?\".", wait=wait)
    return _("Someone typed many wrong passwords for this email address. To protect the "
             "account, wait %(wait)s, then try again: your own password works as always.",
             wait=wait)


def check_attempt(email: str | None, address: str | None) -> None:
    """Raise TooManyAttempts when this client must wait before trying a password for `email`.

    Call it before checking the password; a refused try checks nothing and counts nothing.
    """
    keys = _keys(email, address)
    now = timeutil.now().timestamp()
    slowdowns = (ADDRESS, ACCOUNT_FROM_ADDRESS, ACCOUNT)
    try:
        pipe = redis_connection().pipeline(transaction=False)
        for slowdown in slowdowns:
            pipe.zcount(keys[slowdown.scope], now - slowdown.window, "+inf")
            pipe.zrange(keys[slowdown.scope], -1, -1, withscores=True)
        pipe.get(keys["pass"])
        answers = pipe.execute()
        waits: dict[str, float] = {}
        for index, slowdown in enumerate(slowdowns[:2]):
            failures, latest = answers[2 * index], answers[2 * index + 1]
            last = latest[0][1] if latest else now
            waits[slowdown.scope] = slowdown.wait_after(failures) - (now - last)
        account_wait = ACCOUNT.wait_after(answers[4])
        if account_wait:
            others_wait = max(waits.values()) > 0
            waits[ACCOUNT.scope] = _turn(keys["pass"], answers[6], now, account_wait, others_wait)
    except redis.exceptions.RedisError as error:
        _unreachable(error)
        return
    scope, wait = max(waits.items(), key=lambda item: item[1])
    if wait > 0:
        raise TooManyAttempts(_message(scope, math.ceil(wait)), math.ceil(wait))


def _turn(key: str, stored: bytes | None, now: float, wait: int, others_wait: bool) -> float:
    """The client's own turn on a much-guessed account: seconds until it may try (0: now).

    A client's first try gets a turn `wait` seconds ahead; once it has come, the client's
    next try (that no other counter holds back) is let through and uses it up. Others'
    failures never move a turn that was given.
    """
    connection = redis_connection()
    if stored is None:
        connection.set(key, str(now + wait), px=ACCOUNT.window * 1000)
        return wait
    ready_at = float(stored)
    if ready_at > now:
        return ready_at - now
    if others_wait or connection.delete(key):
        return 0
    # A concurrent try of the same client used the turn up first: this one queues again.
    connection.set(key, str(now + wait), px=ACCOUNT.window * 1000)
    return wait


def record_failure(email: str | None, address: str | None) -> None:
    """Count a wrong password (or an unknown email) for the client and the account."""
    keys = _keys(email, address)
    now = timeutil.now().timestamp()
    try:
        pipe = redis_connection().pipeline(transaction=False)
        for slowdown in (ADDRESS, ACCOUNT_FROM_ADDRESS, ACCOUNT):
            key = keys[slowdown.scope]
            pipe.zadd(key, {f"{now}:{uuid.uuid4().hex[:8]}": now})
            pipe.zremrangebyscore(key, "-inf", now - slowdown.window)
            pipe.zremrangebyrank(key, 0, -(_KEEP + 1))
            pipe.expire(key, slowdown.window)
        pipe.execute()
    except redis.exceptions.RedisError as error:
        _unreachable(error)


def record_success(email: str | None, address: str | None) -> None:
    """The right password: the account's counters start afresh (the address's do not)."""
    keys = _keys(email, address)
    try:
        redis_connection().delete(keys[ACCOUNT_FROM_ADDRESS.scope], keys[ACCOUNT.scope],
                                  keys["pass"])
    except redis.exceptions.RedisError as error:
        _unreachable(error)
