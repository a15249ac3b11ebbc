"""Opportunities and their weekly shifts: saving and publishing, photo thumbnails, and
keeping each opportunity's next shift current as time passes."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import UPCOMING_UPDATE, Opportunity, Shift
from marketplace.images import photo_replaced, thumbnails_save
from marketplace.organisations import NotAllowed, Status
from outbox.services import outbox_enqueue
from places.selectors import postcode_found


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
    opportunity.place_at(postcode_found(opportunity.postcode))
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
        photo_replaced(Opportunity, opportunity.pk, kept=opportunity.photo.name or "")
        opportunity.save()
        from marketplace.board.tasks import photo_thumbnails, saved_searches_fan_out

        if photo_changed:
            outbox_enqueue(photo_thumbnails.name, opportunity.pk)
        if announce:  # runs after commit, so the shifts below are there to match
            outbox_enqueue(saved_searches_fan_out.name, opportunity.pk)
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


ROLL_SQL = UPCOMING_UPDATE + "WHERE o.status = 'published' AND o.upcoming_start <= now()"


def opportunities_roll() -> int:
    """Move each public opportunity whose next shift has begun on to the one after.
    Triggers on Shift keep `upcoming_start` right as shifts change; only the passing
    of time needs this. Cheap when nothing is due (an index range that is empty)."""
    with connection.cursor() as cursor:
        cursor.execute(ROLL_SQL)
        return cursor.rowcount
