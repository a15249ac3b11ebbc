"""Check-in by QR code: the organiser shows a code on their phone, volunteers scan it.

The code is a signed address naming the shift, so it cannot be made up for another
shift; it works from an hour before the start to two hours after the end."""

from datetime import timedelta

import segno
from django.core import signing
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from marketplace.models import Shift

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


def qr_svg(url: str, *, label: str) -> SafeString:
    """An inline SVG QR code, labelled for screen readers."""
    svg = segno.make(url, error="m").svg_inline(omitsize=True, dark="#0b0c0c", light="#ffffff")
    return mark_safe(  # noqa: S308 - segno's own markup around our escaped URL
        f'<figure class="qr" role="img" aria-label="{label}">{svg}</figure>'
    )
