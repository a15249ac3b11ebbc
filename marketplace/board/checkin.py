"""Check-in by QR code: the organiser shows a code on their phone, volunteers scan it.

The code is a signed address naming the shift, so it cannot be made up for another
shift; it works from an hour before the start to two hours after the end."""

from datetime import timedelta

from django.core import signing
from django.utils import timezone

from marketplace.board.models import Shift

SALT = "marketplace.shift-checkin"
EARLY = timedelta(hours=1)
LATE = timedelta(hours=2)


def checkin_token(shift: Shift) -> str:
    return signing.dumps(shift.pk, salt=SALT, compress=True)


def checkin_shift_id(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def checkin_open(shift: Shift) -> bool:
    now = timezone.now()
    return shift.start - EARLY <= now <= shift.end + LATE
