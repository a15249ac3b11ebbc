"""What the board's services share: the sign-up refusal, how a shift's time reads, and
the refresh of an organiser's open sign-up list."""

from datetime import datetime

from django.utils import timezone

from accounts.models import User
from notifications.live import live_refresh


class SignupRefused(Exception):
    """A sign-up the rules do not allow; the message is written for the volunteer."""


def shift_when(start: datetime, end: datetime | None = None) -> str:
    """ "Sat 3 May, 10:00" (to "13:00"), in the scheme's local time."""
    when = timezone.localtime(start).strftime("%a %-d %b, %H:%M")
    return f"{when} to {timezone.localtime(end):%H:%M}" if end else when


def signups_changed(shift_id: int) -> None:
    """After commit, the organisers' open pages of this shift refresh its sign-up list."""
    organisers = User.objects.filter(
        organiser_memberships__group__opportunities__shifts=shift_id
    ).values_list("pk", flat=True)
    live_refresh(user_ids=list(organisers), fragments=["signups"])
