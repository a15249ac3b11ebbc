"""Keys a shop's till system uses for the POS API: shown once, stored as a hash.

A key is 32 random bytes, so a plain SHA-256 is enough (no salt or slow hash, which
exist for guessable passwords), and finding it by its hash through the unique index
compares nothing secret in Python: no timing leak to guard against."""

import hashlib
import secrets
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from marketplace.organisations import NotAllowed
from marketplace.rewards.models import Retailer, RetailerApiKey

KEY_START = "cc_pos_"
PREFIX_LENGTH = 12  # "cc_pos_" and five random characters: enough to tell keys apart
# Writing last_used on every call would make each till request a write.
LAST_USED_EVERY = timedelta(minutes=1)
STAFF_ONLY = "Only the shop's staff can manage the keys for its till."
NOT_VALID = "That API key is not valid. Check it, or make a new one on the shop's keys page."
NO_LONGER = "This key no longer works: make a new one."


class ApiKeyRefused(Exception):
    """A key the POS API cannot take; the message is for whoever set the till up."""


def _hashed(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def retailer_api_key_create(
    *, retailer: Retailer, by: User, name: str
) -> tuple[RetailerApiKey, str]:
    """A new key and the raw key, which is shown to `by` once and never stored."""
    if not by.has_perm("marketplace.work_till", retailer):
        raise NotAllowed(STAFF_ONLY)
    raw = KEY_START + secrets.token_urlsafe(32)
    key = RetailerApiKey.objects.create(
        retailer=retailer,
        name=name.strip()[:60] or "Till",
        prefix=raw[:PREFIX_LENGTH],
        hashed=_hashed(raw),
        created_by=by,
    )
    return key, raw


def retailer_api_key_revoke(*, key: RetailerApiKey, by: User) -> RetailerApiKey:
    """Stop a key working at once; revoking it again changes nothing."""
    if not by.has_perm("marketplace.work_till", key.retailer):
        raise NotAllowed(STAFF_ONLY)
    RetailerApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    key.refresh_from_db(fields=["revoked_at"])
    return key


def retailer_api_key_use(raw: str) -> RetailerApiKey:
    """The live key for a raw key, with its shop and maker; ApiKeyRefused otherwise.

    A key acts for the person who made it (the till's typed-code brake counts per
    person), so it stops working when they leave the shop."""
    raw = raw.strip()
    if not raw.startswith(KEY_START) or len(raw) > 100:
        raise ApiKeyRefused(NOT_VALID)
    key = (
        RetailerApiKey.objects.filter(hashed=_hashed(raw), revoked_at__isnull=True)
        .select_related("retailer__scheme", "created_by")
        .first()
    )
    if key is None:
        raise ApiKeyRefused(NOT_VALID)
    maker = key.created_by
    if maker is None or not maker.has_perm("marketplace.work_till", key.retailer):
        raise ApiKeyRefused(NO_LONGER)
    _touch(key)
    return key


def _touch(key: RetailerApiKey) -> None:
    now = timezone.now()
    if key.last_used is not None and now - key.last_used < LAST_USED_EVERY:
        return
    stale = Q(last_used__isnull=True) | Q(last_used__lt=now - LAST_USED_EVERY)
    RetailerApiKey.objects.filter(stale, pk=key.pk).update(last_used=now)
    key.last_used = now
