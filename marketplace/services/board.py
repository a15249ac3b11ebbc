"""Writes on the opportunity board. Each runs in one transaction, locks what it
counts, and tells people what happened only after it commits (notify)."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coins.models import Account, Scheme
from coins.services import account_for
from marketplace.checkin import checkin_open
from marketplace.geo import postcode_point
from marketplace.images import thumbnails_save
from marketplace.models import (
    CalendarFeed,
    CommunityGroup,
    DbsRecord,
    GroupOrganiser,
    Opportunity,
    Shift,
    ShiftMessage,
    Signup,
    Status,
)
from marketplace.models.board import UPCOMING_UPDATE
from marketplace.services.common import (
    NotAllowed,
    SignupRefused,
    admins_tell_pending,
    decision_record,
    free_slug,
    headline,
    shift_when,
    signups_changed,
)
from marketplace.services.reminders import reminders_told
from notifications.mail import unsubscribe_headers
from notifications.services import channels_for, notify

# A DBS check is commonly treated as current for three years.
DBS_CURRENT_FOR = timedelta(days=3 * 365)


def signup_create(*, shift: Shift, user: User) -> Signup:
    """Give the person a place, or a place on the waiting list when the shift is full.

    Signing up again to the same shift returns the sign-up already there."""
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
                shift=shift, user=user, status=Signup.State.CONFIRMED, **told
            )
        else:
            signup = Signup.objects.create(shift=shift, user=user, status=Signup.State.WAITLISTED)
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
    _check_age(minimum=opportunity.minimum_age, user=user, on=shift.start.date())
    if opportunity.dbs_required and not _has_current_dbs(user):
        raise SignupRefused(
            "This opportunity needs a DBS check. Ask the group's organiser to record yours, "
            "then sign up."
        )
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
        raise SignupRefused(
            f"This opportunity is for people aged {minimum} or over. "
            "Add your date of birth to your account, then sign up."
        )
    if age < minimum:
        raise SignupRefused(f"This opportunity is for people aged {minimum} or over.")


def _has_current_dbs(user: User) -> bool:
    latest = DbsRecord.objects.filter(user=user).first()
    return (
        latest is not None
        and latest.outcome == DbsRecord.Outcome.CLEAR
        and latest.checked_on >= timezone.localdate() - DBS_CURRENT_FOR
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


def group_register(*, scheme: Scheme, by: User, **details: str) -> CommunityGroup:
    """A person registers a group: it waits for the council, and they organise it."""
    with transaction.atomic():
        group = CommunityGroup(
            scheme=scheme,
            slug=free_slug(CommunityGroup, scheme, details["name"], "group"),
            **details,
        )
        group.save()
        GroupOrganiser.objects.create(group=group, user=by)
        admins_tell_pending(
            organisation=group,
            kind="group_pending",
            body="A new community group has registered.",
            url=reverse("council:groups"),
        )
    return group


def group_decide(*, group: CommunityGroup, by: User, verify: bool, reason: str = "") -> None:
    """A scheme admin verifies a group, or rejects it with a reason its organisers see."""
    if not by.has_perm("marketplace.verify_group", group):
        raise NotAllowed("Only the scheme's admins can verify its groups.")
    with transaction.atomic():
        reason = decision_record(
            organisation=group, by=by, verify=verify, reason=reason, who="the group"
        )
        if verify:  # so that residents can give it coins
            account_for(scheme=group.scheme, kind=Account.Kind.GROUP, owner=group)
        organisers = User.objects.filter(organiser_memberships__group=group)
        notify(
            recipients=list(organisers),
            kind="group_verified" if verify else "group_rejected",
            title=f"{group.name} is verified" if verify else f"{group.name} was not verified",
            body="You can now publish opportunities." if verify else reason,
        )


@dataclass(frozen=True)
class ShiftPlan:
    start: datetime
    end: datetime
    capacity: int
    weeks: int = 1


def opportunity_save(
    *, opportunity: Opportunity, by: User, publish: bool, shifts: ShiftPlan | None = None
) -> Opportunity:
    """Create or update an opportunity (and its weekly shifts) for a group the person
    organises. It goes public only once the council has verified the group."""
    group = opportunity.group
    if not by.has_perm("marketplace.manage_group", group):
        raise NotAllowed("Only the group's organisers can change its opportunities.")
    if publish and group.status != Status.VERIFIED:
        raise NotAllowed("You can publish once the council has verified your group.")
    opportunity.scheme = group.scheme
    point = postcode_point(opportunity.postcode) if opportunity.postcode else None
    opportunity.latitude, opportunity.longitude = point if point else (None, None)
    # News for saved searches only when it first goes public (a row made public without
    # this service, as the demo's are, just gets its date).
    first_published = publish and opportunity.published_at is None
    announce = first_published and opportunity.status != Opportunity.State.PUBLISHED
    if first_published:
        opportunity.published_at = timezone.now()
    opportunity.status = Opportunity.State.PUBLISHED if publish else Opportunity.State.DRAFT
    photo_changed = bool(opportunity.photo) and not opportunity.photo._committed
    with transaction.atomic():
        if photo_changed:
            opportunity.photo_sizes = {}
        opportunity.save()
        from marketplace.tasks import photo_thumbnails, saved_searches_fan_out

        if photo_changed:
            transaction.on_commit(lambda: photo_thumbnails.delay(opportunity.pk))
        if announce:  # runs after commit, so the shifts below are there to match
            transaction.on_commit(lambda: saved_searches_fan_out.delay(opportunity.pk))
        if shifts is not None:
            Shift.objects.bulk_create(
                Shift(
                    opportunity=opportunity,
                    start=_weeks_later(shifts.start, week),
                    end=_weeks_later(shifts.end, week),
                    capacity=shifts.capacity,
                )
                for week in range(shifts.weeks)
            )
    return opportunity


def _weeks_later(moment: datetime, weeks: int) -> datetime:
    """The same wall-clock time n weeks on, across a change to or from summer time."""
    local = timezone.localtime(moment)
    naive = local.replace(tzinfo=None) + timedelta(weeks=weeks)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def photo_thumbnails_make(*, opportunity_id: int) -> dict[str, str]:
    """Smaller copies of an opportunity's photo for phones; safe to run twice."""
    opportunity = Opportunity.objects.filter(pk=opportunity_id).first()
    if opportunity is None or not opportunity.photo:
        return {}
    sizes = thumbnails_save(opportunity.photo)
    Opportunity.objects.filter(pk=opportunity_id).update(photo_sizes=sizes)
    return sizes


def calendar_feed_renew(*, user: User) -> CalendarFeed:
    """A new private calendar address; any old one stops working at once."""
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        return CalendarFeed.objects.create(user=user, token=secrets.token_urlsafe(32))


def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


def dbs_record(
    *, group: CommunityGroup, email: str, outcome: str, checked_on: date, by: User
) -> DbsRecord:
    """An organiser records what a volunteer's DBS certificate said, and when: the
    outcome and date only, never the certificate or its number."""
    if not by.has_perm("marketplace.manage_group", group):
        raise NotAllowed("Only the group's organisers can record DBS checks.")
    if checked_on > timezone.localdate():
        raise NotAllowed("The check date cannot be in the future.")
    volunteer = User.objects.filter(email__iexact=email.strip()).first()
    if volunteer is None:
        raise NotAllowed(
            "Nobody has joined Citizen Coin with that email yet. Ask them to sign up first."
        )
    return DbsRecord.objects.create(
        user=volunteer, outcome=outcome, checked_on=checked_on, recorded_by=by, group=group
    )


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


def shift_message_send(*, shift: Shift, by: User, subject: str, body: str) -> ShiftMessage:
    """Write to everyone with a place or waiting on a shift: stored now, emailed by Celery
    after commit, and shown in each person's notifications."""
    if not by.has_perm("marketplace.manage_group", shift.opportunity.group):
        raise NotAllowed("Only the group's organisers can message its volunteers.")
    with transaction.atomic():
        message = ShiftMessage.objects.create(shift=shift, sender=by, subject=subject, body=body)
        people = User.objects.filter(
            signups__shift=shift, signups__status__in=Signup.ACTIVE
        ).distinct()
        notify(recipients=list(people), kind="shift_message", title=subject, body=body)
        from marketplace.tasks import shift_message_email

        transaction.on_commit(lambda: shift_message_email.delay(message.pk))
    return message


def shift_message_email_send(*, message_id: int) -> int:
    """Email a stored shift message once; running it again sends nothing."""
    with transaction.atomic():
        message = (
            ShiftMessage.objects.select_for_update()
            .select_related("shift__opportunity__group")
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return 0
        group = message.shift.opportunity.group
        people = list(
            User.objects.filter(signups__shift=message.shift, signups__status__in=Signup.ACTIVE)
            .distinct()
            .only("pk", "email")
        )
        # The person's choice for organisers' messages, as for every other email.
        wants = channels_for(user_ids=[p.pk for p in people], kind="shift_message")
        reply_to = [group.contact_email] if group.contact_email else []
        mails = []
        for person in people:
            if not wants[person.pk].email:
                continue
            link, headers = unsubscribe_headers(user_id=person.pk, kind="shift_message")
            mails.append(
                EmailMessage(
                    subject=f"{group.name}: {message.subject}",
                    body=f"{message.body}\n\n--\nStop emails of organisers' messages: {link}\n",
                    to=[person.email],
                    reply_to=reply_to,
                    headers=headers,
                )
            )
        sent = get_connection().send_messages(mails) or 0
        message.sent_at = timezone.now()
        message.save(update_fields=["sent_at"])
    return sent


ROLL_SQL = UPCOMING_UPDATE + "WHERE o.status = 'published' AND o.upcoming_start <= now()"


def opportunities_roll() -> int:
    """Move each public opportunity whose next shift has begun on to the one after.
    Triggers on Shift keep `upcoming_start` right as shifts change; only the passing
    of time needs this. Cheap when nothing is due (an index range that is empty)."""
    with connection.cursor() as cursor:
        cursor.execute(ROLL_SQL)
        return cursor.rowcount
