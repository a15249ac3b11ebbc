"""Check-in by QR code: the organiser shows a code on their phone, volunteers scan it.

The code is a signed address naming the shift, so it cannot be made up for another
shift; it works from an hour before the start to two hours after the end. The
organiser's own list (check in, did not come, undo) opens at the same time, and "did not
come" waits for the start: nobody is a no-show before the shift begins. The list stays
open for a week after the end, so that whoever confirms the hours the next day can
still mark who did not come (else their hours would be confirmed with everyone's)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.utils import timezone

from marketplace.board.models import Shift

SALT = "marketplace.shift-checkin"
EARLY = timedelta(hours=1)
LATE = timedelta(hours=2)  # the code
LIST_LATE = timedelta(days=7)  # the organiser's list


@dataclass(frozen=True)
class AttendanceWindow:
    """When a shift's attendance can be marked, seen at one moment (`now`)."""

    opens: datetime  # check-in, by the code or the organiser's list
    no_show_from: datetime  # "did not come", from the start
    code_closes: datetime  # the code volunteers scan
    closes: datetime  # the organiser's list
    now: datetime

    @property
    def code_open(self) -> bool:
        return self.opens <= self.now <= self.code_closes

    @property
    def check_in(self) -> bool:
        return self.opens <= self.now <= self.closes

    @property
    def no_show(self) -> bool:
        return self.no_show_from <= self.now <= self.closes

    @property
    def not_yet(self) -> bool:
        return self.now < self.opens

    @property
    def closed(self) -> bool:
        return self.now > self.closes


def attendance_window(shift: Shift, now: datetime | None = None) -> AttendanceWindow:
    return AttendanceWindow(
        opens=shift.start - EARLY,
        no_show_from=shift.start,
        code_closes=shift.end + LATE,
        closes=shift.end + LIST_LATE,
        now=now or timezone.now(),
    )


def checkin_token(shift: Shift) -> str:
    return signing.dumps(shift.pk, salt=SALT, compress=True)


def checkin_shift_id(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def checkin_open(shift: Shift) -> bool:
    return attendance_window(shift).code_open
