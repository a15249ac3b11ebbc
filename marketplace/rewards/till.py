"""Codes residents pay with at a till, and the brake on guessing them.

A code is bound to one shop, used once and valid for minutes. The QR carries a
random token signed with the site's key (so a forged one is refused before any
look-up, and it says nothing about the person); the typed code is 8 characters from
31 that cannot be mistaken for each other (no 0/O, 1/I/L): 31^8, about 8.5 x 10^11.
"""

import logging
import secrets

from django.core import signing
from django.core.cache import cache

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
SALT = "marketplace.till-code"
# Wrong typed codes allowed in a minute, then a five-minute pause: for one staff account
# (the person typing), and a much higher one for the whole shop (many accounts at once),
# so that one person mistyping, or guessing, cannot stop the shop's other tills.
TYPED_LIMIT = 10
SHOP_TYPED_LIMIT = 60
WINDOW_SECONDS = 60
COOL_DOWN_SECONDS = 5 * 60

log = logging.getLogger("citizencoin.till")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(24)


def signed(token: str) -> str:
    """What the QR code carries."""
    return signing.Signer(salt=SALT).sign(token)


def unsigned(scanned: str) -> str | None:
    """The token inside a scanned QR, or None if it was not made by us."""
    try:
        return signing.Signer(salt=SALT).unsign(scanned.strip())
    except signing.BadSignature:
        return None


def normalise_code(typed: str) -> str:
    """Forgive spaces, dashes and lower case."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())[:20]


def _keys(retailer_id: int, staff_id: int) -> dict[str, int]:
    return {
        f"till:typed:retailer:{retailer_id}": SHOP_TYPED_LIMIT,
        f"till:typed:staff:{staff_id}": TYPED_LIMIT,
    }


def typed_attempts_blocked(*, retailer_id: int, staff_id: int) -> bool:
    """True while this shop or this person has had too many wrong codes."""
    return any(cache.get(f"{key}:pause") for key in _keys(retailer_id, staff_id))


def typed_attempt_failed(*, retailer_id: int, staff_id: int, typed: str) -> None:
    """Count a wrong code; the limit's worth in a minute starts a five-minute pause."""
    log.warning("wrong till code typed: retailer=%s staff=%s", retailer_id, staff_id)
    for key, limit in _keys(retailer_id, staff_id).items():
        cache.add(key, 0, timeout=WINDOW_SECONDS)
        try:
            failures = cache.incr(key)
        except ValueError:  # the window ended between add and incr
            cache.set(key, 1, timeout=WINDOW_SECONDS)
            failures = 1
        if failures >= limit:
            cache.set(f"{key}:pause", True, timeout=COOL_DOWN_SECONDS)
