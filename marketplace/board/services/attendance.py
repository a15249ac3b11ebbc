"""Who came to a shift: the organiser ticks a volunteer in, marks them as not having
come, or undoes either, on the day or in the week after.

The organiser's list keeps to its window (`checkin.attendance_window`): from an hour
before the start (check in) or the start ("did not come") to a week after the end.
Once a person's hours are confirmed their attendance is settled: coins were minted from
it, and a correction goes through the hours, never through this list."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from marketplace.board.checkin import AttendanceWindow, attendance_window
from marketplace.board.models import Hours, Signup
from marketplace.board.services.common import signups_changed
from marketplace.organisations import NotAllowed


def signup_mark_attendance(*, signup: Signup, attended: bool, by: User) -> Signup:
    """Tick a volunteer in (`attended`), or mark them as not having come."""
    with transaction.atomic():
        signup = _locked(signup, by)
        window = attendance_window(signup.shift)
        _check_open(signup, window)
        if window.not_yet:
            raise NotAllowed(
                f"Check-in opens at {_at(window.opens)}, an hour before the shift starts."
            )
        if not attended and not window.no_show:
            raise NotAllowed(
                "You can mark who did not come once the shift starts, at "
                f"{_at(window.no_show_from)}."
            )
        signup.attended = attended
        signup.save(update_fields=["attended"])
        signups_changed(signup.shift_id)
    return signup


def signup_attendance_undo(*, signup: Signup, by: User) -> Signup:
    """Take back a check-in or a "did not come", while the window is open and before the
    person's hours are confirmed: a mis-tap on a busy morning is put right at once."""
    with transaction.atomic():
        signup = _locked(signup, by)
        window = attendance_window(signup.shift)
        if signup.attended is None:
            raise NotAllowed(f"{_name(signup)} is not marked yet, so there is nothing to undo.")
        _check_open(signup, window)
        signup.attended = None
        signup.save(update_fields=["attended"])
        signups_changed(signup.shift_id)
    return signup


def _locked(signup: Signup, by: User) -> Signup:
    """The sign-up, locked against a confirmation of its hours at the same moment, once
    the person acting may touch it."""
    group = signup.shift.opportunity.group
    if not by.has_perm("marketplace.manage_group", group):
        raise NotAllowed("Only the group's organisers can check volunteers in.")
    if signup.user_id == by.pk:
        raise NotAllowed("You cannot check yourself in.")
    locked = (
        Signup.objects.select_for_update(of=("self",))
        .select_related("user", "shift__opportunity__group")
        .get(pk=signup.pk)
    )
    if locked.status != Signup.State.CONFIRMED:
        raise NotAllowed(f"{_name(locked)} does not have a place on this shift.")
    if locked.shift.is_cancelled:
        raise NotAllowed("This shift was cancelled, so there is no attendance to mark.")
    return locked


def _check_open(signup: Signup, window: AttendanceWindow) -> None:
    confirmed = Hours.objects.filter(signup=signup, status=Hours.State.CONFIRMED).exists()
    if confirmed:
        raise NotAllowed(
            f"{_name(signup)}'s hours are confirmed, so their attendance can no longer be "
            "changed. To change the time, correct the hours."
        )
    if window.closed:
        raise NotAllowed(
            f"The list closed at {_at(window.closes)}, a week after the shift ended, so "
            "attendance can no longer be changed."
        )


def _name(signup: Signup) -> str:
    return signup.user.display_name or "This volunteer"


def _at(moment: datetime) -> str:
    """ "09:00 on Sat 3 May", in the scheme's local time."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} on {local:%a %-d %b}"
