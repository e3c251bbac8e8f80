"""How many sign-in tries an account gets, and from where.

Knowing an account's name must not let a stranger lock its owner out, and
guessing must stay slow even from many addresses at once. So tries are
counted against budgets of two kinds:

- Per account and client, with growing delays: at most 5 tries in a minute
  and 10 in 15 minutes (a refused try is not counted, so hammering does not
  extend the wait; a success forgets this client's earlier typos). The
  client is the browser's *device cookie* if it holds one for this account
  (signed, given at a successful sign-in, void once the password changes),
  otherwise the client's IP address. A stranger cannot make a device cookie
  for someone else's account, so the owner signing in from a browser used
  before has a budget nobody else can spend.
- Per account, shared by every client without such a cookie: 30 failed
  tries in 15 minutes (a success gives its try back, so staff sharing an
  account can sign in from many new browsers). It bounds a guesser spread
  over many addresses: at most 120 guesses an hour against an account
  from browsers that never signed in to it, however many addresses they
  use.

What a stranger who knows the name can do to the owner: nothing to a
browser the owner signed in with before; a new browser of the owner's is
refused only if it shares the stranger's address (one office, one carrier
gateway) or while the stranger guesses from many addresses, and for at
most 15 minutes after the guessing stops (no window is longer). The address is the
one the web server sees: behind a reverse proxy that does not pass it on,
every new browser shares one address budget per account, and a single
stranger can hold new browsers off the way many addresses would; known
browsers are unaffected either way.

Each try is taken (counted and tested in one atomic Redis step, see
`throttle.take`) *before* the password is checked, so parallel guesses
cannot pass a budget: at most 5 password checks per minute per client,
whatever arrives at once. Tries are counted per name as typed, existing or
not, so the answers do not tell which names exist either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer

from quiz import throttle
from quiz.models import Staff
from quiz.scoring.keys import STAFF_SIGN_IN

PER_CLIENT = ("5 per 1 minute", "10 per 15 minutes")
UNKNOWN_CLIENTS = "30 per 15 minutes"
DEVICE_COOKIE = "quiz_staff_device"
DEVICE_LIFETIME = timedelta(days=180)


@dataclass(frozen=True)
class Client:
    """Who is trying to sign in to which account, as the budgets see it."""

    name: str  # the account name as typed, lower case
    device: str | None  # this browser's device id, if it signed in to the account before
    address: str

    def budgets(self) -> list[tuple[str, tuple[str, ...]]]:
        """(limit, identifiers) in the order they are taken: own budgets first,
        so a stranger refused by their own budget spends nothing of the shared one."""
        if self.device:
            own = ("device", self.name, self.device)
        else:
            own = ("address", self.name, self.address)
        budgets = [(limit, (STAFF_SIGN_IN, *own)) for limit in PER_CLIENT]
        if not self.device:
            budgets.append((UNKNOWN_CLIENTS, (STAFF_SIGN_IN, "account", self.name)))
        return budgets


def identify(name: str, staff: Staff | None) -> Client:
    return Client(name, _known_device(staff), request.remote_addr or "")


def take(client: Client) -> int | None:
    """Count one try: None if it may go ahead, else the seconds to wait.

    A refused try counts nowhere: what it took from the budgets before the
    one that refused it is given back, so someone held off by the shared
    budget does not also use up their own.
    """
    taken: list[tuple[str, tuple[str, ...]]] = []
    for limit, identifiers in client.budgets():
        if not throttle.take(limit, *identifiers):
            for earlier, earlier_identifiers in taken:
                throttle.give_back(earlier, *earlier_identifiers)
            return throttle.retry_after(limit, *identifiers)
        taken.append((limit, identifiers))
    return None


def forgive(client: Client) -> None:
    """After a success: this client's typos no longer count, and the success itself
    is given back to the shared budget (which counts failures only, so staff sharing
    an account can sign in from many new browsers at once)."""
    own, shared = client.budgets()[: len(PER_CLIENT)], client.budgets()[len(PER_CLIENT) :]
    for limit, identifiers in own:
        throttle.clear(limit, *identifiers)
    for limit, identifiers in shared:
        throttle.give_back(limit, *identifiers)


def remember_device(response, staff: Staff, client: Client) -> None:
    """Give the browser (or renew) its device cookie for this account."""
    device = client.device or secrets.token_urlsafe(16)
    value = _serializer().dumps([staff.id, device, _fingerprint(staff)])
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=int(DEVICE_LIFETIME.total_seconds()),
        path="/console",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def _known_device(staff: Staff | None) -> str | None:
    value = request.cookies.get(DEVICE_COOKIE)
    if staff is None or not value:
        return None
    try:
        staff_id, device, fingerprint = _serializer().loads(
            value, max_age=int(DEVICE_LIFETIME.total_seconds())
        )
    except (BadData, TypeError, ValueError):
        return None
    if staff_id != staff.id or not hmac.compare_digest(str(fingerprint), _fingerprint(staff)):
        return None
    return str(device)


def _fingerprint(staff: Staff) -> str:
    """Ties a device cookie to the current password: a new password voids every device."""
    secret = current_app.secret_key
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, staff.password_hash.encode(), hashlib.sha256).hexdigest()[:16]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="staff-device")
