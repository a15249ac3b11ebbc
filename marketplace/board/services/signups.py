"""Places on shifts: signing up (or onto the waiting list), cancelling, the waiting list
moving up, checking in by the shift's code, and the private calendar feed. Each write
runs in one transaction, locks what it counts, and tells people only after commit.

Before a first shift a person must have told us what to call them, their date of birth
where the shift or their age needs it, and, under 16, have a parent or guardian's
consent: `details_needed` says what is missing, and the refusal (DetailsNeeded) lets
the board send them to the page that asks for it."""

import secrets
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from marketplace.board.checkin import checkin_open
from marketplace.board.models import (
    CalendarFeed,
    DbsRecord,
    Shift,
    Signup,
)
from marketplace.board.services.common import SignupRefused, shift_when, signups_changed
from marketplace.board.services.dbs import DBS_CURRENT_FOR as DBS_CURRENT_FOR  # pathway's
from marketplace.board.services.dbs import dbs_expires_on
from marketplace.board.services.reminders import reminders_told
from marketplace.organisations import (
    NotAllowed,
    Status,
)
from notifications.services import headline, notify

NAME, BIRTH_DATE, GUARDIAN_CONSENT = "name", "birth_date", "guardian_consent"


class DetailsNeeded(SignupRefused):
    """Refused until the person tells us something (or a parent or guardian consents):
    the board's sign-up sends them to 'Before your first shift', which asks for it."""


def details_needed(*, shift: Shift, user: User) -> list[str]:
    """What the person must still give before they may sign up to this shift (NAME,
    BIRTH_DATE, GUARDIAN_CONSENT), in the order the page asks. The consent is known to
    be needed only once the date of birth is."""
    needs = [] if user.display_name.strip() else [NAME]
    if user.birth_date is None:
        if shift.opportunity.minimum_age > 13 or user.declared_under_18:
            needs.append(BIRTH_DATE)
    elif user.needs_guardian_consent(timezone.localdate(shift.start)):
        consent = user.latest_guardian_consent()
        if consent is None or not consent.is_given:
            needs.append(GUARDIAN_CONSENT)
    return needs


def signup_create(*, shift: Shift, user: User, brought_by: User | None = None) -> Signup:
    """Give the person a place, or a place on the waiting list when the shift is full.
    `brought_by` is the friend whose invite link they came by (never themselves).

    Signing up again to the same shift returns the sign-up already there."""
    if brought_by is not None and brought_by.pk == user.pk:
        brought_by = None
    with transaction.atomic():
        # Lock the person, then the shift: their other sign-ups and the shift's
        # places are counted under these locks, so no two requests can both see room.
        User.objects.select_for_update(no_key=True).get(pk=user.pk)
        shift = (
            Shift.objects.select_for_update(no_key=True, of=("self",))
            .select_related("opportunity__group")
            .get(pk=shift.pk)
        )
        existing = Signup.objects.filter(shift=shift, user=user, status__in=Signup.ACTIVE).first()
        if existing is not None:
            return existing
        _check_eligible(shift=shift, user=user)
        confirmed = shift.signups.filter(status=Signup.State.CONFIRMED).count()
        if confirmed < shift.capacity:
            told = reminders_told(start=shift.start, now=timezone.now())
            signup = Signup.objects.create(
                shift=shift, user=user, status=Signup.State.CONFIRMED, brought_by=brought_by, **told
            )
        else:
            signup = Signup.objects.create(
                shift=shift, user=user, status=Signup.State.WAITLISTED, brought_by=brought_by
            )
        _tell(signup, promoted=False)
        signups_changed(shift.pk)
    return signup


def signup_cancel(*, signup: Signup) -> Signup:
    """Cancel a sign-up; a freed place goes to the first person on the waiting list."""
    with transaction.atomic():
        shift = Shift.objects.select_for_update(no_key=True).get(pk=signup.shift_id)
        signup = Signup.objects.select_for_update().get(pk=signup.pk)
        if signup.status == Signup.State.CANCELLED:
            return signup
        if shift.start <= timezone.now():
            # Its hours may be claimed or confirmed now; a no-show is marked by the organiser.
            raise NotAllowed("This shift has already started, so it can no longer be cancelled.")
        freed_a_place = signup.status == Signup.State.CONFIRMED
        signup.status = Signup.State.CANCELLED
        signup.cancelled_at = timezone.now()
        signup.save(update_fields=["status", "cancelled_at"])
        if freed_a_place:
            promote_waiting(shift)
        signups_changed(shift.pk)
    return signup


def promote_waiting(shift: Shift) -> list[Signup]:
    """Give free places to the people waiting longest, and tell each of them. The
    caller holds the lock on the shift, under which places are counted."""
    confirmed = shift.signups.filter(status=Signup.State.CONFIRMED).count()
    room = shift.capacity - confirmed
    if room <= 0:
        return []
    waiting = shift.signups.filter(status=Signup.State.WAITLISTED).order_by("created", "id")
    promoted = list(waiting.select_for_update()[:room])
    now = timezone.now()
    for signup in promoted:
        signup.status = Signup.State.CONFIRMED
        for field, value in reminders_told(start=shift.start, now=now).items():
            setattr(signup, field, value)
        signup.save(update_fields=["status", "reminded_24h_at", "reminded_2h_at"])
        _tell(signup, promoted=True)
    return promoted


def _check_eligible(*, shift: Shift, user: User) -> None:
    opportunity = shift.opportunity
    if (
        opportunity.status != opportunity.State.PUBLISHED
        or opportunity.group.status != Status.VERIFIED
    ):
        raise SignupRefused("This opportunity is not open for sign-ups.")
    if shift.is_cancelled:
        raise SignupRefused("This shift has been cancelled, so it is closed for sign-ups.")
    if shift.start <= timezone.now():
        raise SignupRefused("This shift has already started, so it is closed for sign-ups.")
    if not user.display_name.strip():
        raise DetailsNeeded(
            "Tell us what to call you before your first shift: the organiser needs your "
            "name to check you in."
        )
    on = timezone.localdate(shift.start)
    _check_age(minimum=opportunity.minimum_age, user=user, on=on)
    _check_guardian_consent(user=user, on=on)
    if opportunity.dbs_required:
        _check_dbs(user)
    overlapping = Signup.objects.filter(
        user=user,
        status__in=Signup.ACTIVE,
        shift__start__lt=shift.end,
        shift__end__gt=shift.start,
    ).select_related("shift__opportunity")
    clash = overlapping.first()
    if clash is not None:
        raise SignupRefused(
            f"You are already signed up to “{clash.shift.opportunity.title}” at that time."
        )


def _check_age(*, minimum: int, user: User, on: date) -> None:
    if minimum <= 13:
        return  # everyone confirmed they are 13 or over when they joined
    age = user.age_on(on)
    if age is None:
        raise DetailsNeeded(
            f"This opportunity is for people aged {minimum} or over. "
            "Tell us your date of birth, then sign up."
        )
    if age < minimum:
        raise SignupRefused(f"This opportunity is for people aged {minimum} or over.")


def _check_guardian_consent(*, user: User, on: date) -> None:
    if user.birth_date is None and user.declared_under_18:
        raise DetailsNeeded(
            "Tell us your date of birth before your first shift: people under 16 need a "
            "parent or guardian's consent to volunteer."
        )
    if not user.needs_guardian_consent(on):
        return
    consent = user.latest_guardian_consent()
    if consent is None:
        raise DetailsNeeded(
            "You are under 16, so a parent or guardian must give their consent before "
            "your first shift."
        )
    if consent.withdrawn_at is not None:
        day = f"{timezone.localtime(consent.withdrawn_at):%-d %B %Y}"
        said = f"withdrew their consent on {day}" if consent.given_at else f"said no on {day}"
        raise DetailsNeeded(
            f"Your parent or guardian {said}, so you cannot sign up to shifts. "
            "If they change their mind, ask them again."
        )
    if consent.given_at is None:
        raise DetailsNeeded(
            f"We are waiting for your parent or guardian ({consent.guardian_email}) to give "
            "their consent. You can sign up once they have."
        )


def _check_dbs(user: User) -> None:
    latest = DbsRecord.objects.filter(user=user).first()
    if latest is None or latest.outcome != DbsRecord.Outcome.CLEAR:
        raise SignupRefused(
            "This opportunity needs a DBS check. Ask the group's organiser to record yours, "
            "then sign up."
        )
    expires = dbs_expires_on(latest)
    if expires <= timezone.localdate():
        raise SignupRefused(
            f"Your DBS check expired on {expires:%-d %B %Y}. Ask the group's organiser to "
            "record your new one, then sign up."
        )


def _tell(signup: Signup, *, promoted: bool) -> None:
    shift = signup.shift
    title = shift.opportunity.title
    if promoted:
        heading, kind = f"A place came up: you're going to {title}", "signup_promoted"
    elif signup.status == Signup.State.CONFIRMED:
        heading, kind = f"You're going to {title}", "signup_confirmed"
    else:
        heading, kind = f"You're on the waiting list for {title}", "signup_waitlisted"
    notify(
        recipients=[signup.user],
        kind=kind,
        title=headline(heading),
        body=shift_when(shift.start),
        url=reverse("board:my_shifts"),
    )


def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """A new private calendar address; any old one stops working at once."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def signup_check_in_self(*, shift: Shift, user: User) -> Signup:
    """A volunteer scanned the shift's code: they are here."""
    signup = Signup.objects.filter(shift=shift, user=user, status=Signup.State.CONFIRMED).first()
    if signup is None:
        raise NotAllowed("You do not have a place on this shift, so you cannot check in.")
    if not checkin_open(shift):
        raise NotAllowed("Check-in opens an hour before the shift and closes two hours after.")
    signup.attended = True
    signup.save(update_fields=["attended"])
    signups_changed(shift.pk)
    return signup
