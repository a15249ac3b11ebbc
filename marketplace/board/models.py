"""The opportunity board: community groups, what they offer, when, who is coming, the
hours given, and the searches residents keep. Never imports marketplace.rewards."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from coins.models import Scheme
from marketplace.durations import duration_text
from marketplace.organisations import Organisation
from places.models import Placed, Ward


class Cause(models.TextChoices):
    ENVIRONMENT = "environment", "Environment and green spaces"
    FOOD = "food", "Food and hunger"
    OLDER_PEOPLE = "older_people", "Older people"
    CHILDREN = "children", "Children and young people"
    HEALTH = "health", "Health and wellbeing"
    ANIMALS = "animals", "Animals"
    ARTS = "arts", "Arts and culture"
    SPORT = "sport", "Sport"
    COMMUNITY = "community", "Community and neighbours"
    REFUGEES = "refugees", "Refugees and newcomers"


class Skill(models.TextChoices):
    NONE = "none", "No experience needed"
    GARDENING = "gardening", "Gardening"
    COOKING = "cooking", "Cooking"
    DRIVING = "driving", "Driving"
    ADMIN = "admin", "Admin and IT"
    TEACHING = "teaching", "Teaching and mentoring"
    LANGUAGES = "languages", "Languages"
    DIY = "diy", "DIY and repairs"
    CARING = "caring", "Caring and befriending"
    EVENTS = "events", "Events"


class CommunityGroup(Placed, Organisation):
    """A volunteer-run group that posts opportunities."""

    description = models.TextField(blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    ward = models.ForeignKey(
        Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="From the postcode.",
    )  # fmt: skip


class GroupOrganiser(models.Model):
    group = models.ForeignKey(CommunityGroup, on_delete=models.CASCADE, related_name="organisers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organiser_memberships"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="marketplace_organiser_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} organises {self.group}"


class Campaign(models.Model):
    """A drive the council runs (The Great Get Together, a spring clean): its dates, its
    words and a picture. Groups add their opportunities to it; its page lists them."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=120)
    # Unique across schemes: the public page's address is /campaigns/<slug>/.
    slug = models.SlugField(max_length=60, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    text = models.TextField(max_length=4000)
    image = models.ImageField(upload_to="campaigns/%Y/", blank=True)
    image_alt = models.CharField("what the picture shows", max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="campaign_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Opportunity(Placed, models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="opportunities")
    group = models.ForeignKey(
        CommunityGroup, on_delete=models.CASCADE, related_name="opportunities"
    )
    title = models.CharField(max_length=120)
    description = models.TextField()
    causes = ArrayField(models.CharField(max_length=20, choices=Cause.choices), default=list)
    skills = ArrayField(models.CharField(max_length=20, choices=Skill.choices), default=list)
    address = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    ward = models.ForeignKey(
        Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="From the postcode.",
    )  # fmt: skip
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    step_free = models.BooleanField("step-free access", default=False)
    seated = models.BooleanField("can be done seated", default=False)
    remote_friendly = models.BooleanField("can be done from home", default=False)
    minimum_age = models.PositiveSmallIntegerField(default=13)
    dbs_required = models.BooleanField("DBS check required", default=False)
    # A first step on the pathway: short, no commitment, no DBS check.
    taster = models.BooleanField(
        default=False, help_text="Short, no commitment and no DBS check: good for a first go."
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    language = models.CharField(max_length=40, default="English")
    photo = models.ImageField(upload_to="opportunities/%Y/%m/", blank=True)
    # Width in pixels -> storage name of a smaller copy, filled in by a Celery task.
    photo_sizes = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # When it first went public: saved searches are told about it that once.
    published_at = models.DateTimeField(null=True, blank=True)
    # The start of its next shift that is not cancelled, kept by triggers on Shift (and
    # rolled on by opportunities_roll when that shift begins), so that the board can
    # list and sort 100k opportunities by an index instead of a subquery per row.
    upcoming_start = models.DateTimeField(null=True, blank=True, editable=False)
    # The words of the title and description, stemmed, kept by PostgreSQL itself on every
    # write (an UPDATE through .update() too), so the board's text search and its count
    # read a stored, indexed column instead of working the text out again for each row.
    search_vector = models.GeneratedField(
        expression=SearchVector("title", "description", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "opportunities"
        indexes = [
            GinIndex(fields=["search_vector"], name="opportunity_search_vector_idx"),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="opportunity_title_trgm"),
            GinIndex(fields=["causes"], name="opportunity_causes_idx"),
            GinIndex(fields=["skills"], name="opportunity_skills_idx"),
            models.Index(fields=["latitude", "longitude"], name="opportunity_point_idx"),
            models.Index(fields=["status", "group"], name="opportunity_status_idx"),
            models.Index(
                fields=["upcoming_start"],
                condition=Q(status="published"),
                name="opportunity_upcoming_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__gte=13) & Q(minimum_age__lte=25),
                name="opportunity_minimum_age_range",
            ),
            models.CheckConstraint(
                condition=Q(taster=False) | Q(dbs_required=False),
                name="opportunity_taster_needs_no_dbs",
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__range=(-90, 90)) & Q(longitude__range=(-180, 180))),
                name="opportunity_point_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # upcoming_start belongs to the triggers on Shift: an update from an object read
        # before its shifts changed must not write its stale copy back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and not f.generated and f.name != "upcoming_start"
            ]
        super().save(*args, **kwargs)

    def photo_srcset(self) -> str:
        from django.core.files.storage import default_storage

        return ", ".join(
            f"{default_storage.url(name)} {width}w"
            for width, name in sorted(self.photo_sizes.items(), key=lambda kv: int(kv[0]))
        )


# Recompute Opportunity.upcoming_start for the opportunities a statement's shifts belong
# to: once per statement (transition tables), so bulk inserts cost one update.
UPCOMING_UPDATE = """
UPDATE marketplace_opportunity o SET upcoming_start = (
    SELECT MIN(s.start) FROM marketplace_shift s
    WHERE s.opportunity_id = o.id AND s.start > now() AND s.cancelled_at IS NULL
)
"""
UPCOMING_SQL = UPCOMING_UPDATE + "WHERE o.id IN ({ids});\nRETURN NULL;\n"


def _upcoming_trigger(name: str, operation: Any, ids: str, **tables: str) -> Any:
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=pgtrigger.Referencing(**tables),
        func=UPCOMING_SQL.format(ids=ids),
    )


class Shift(models.Model):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="shifts")
    start = models.DateTimeField()
    end = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    # A cancelled shift keeps its row (and its sign-ups, cancelled) so people can see why.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["start"], name="shift_start_idx"),
            models.Index(fields=["opportunity", "start"], name="shift_opportunity_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="shift_capacity_positive"),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancel_reason=""),
                name="shift_cancelled_with_reason",
            ),
        ]
        triggers = [
            _upcoming_trigger(
                "shift_upcoming_insert",
                pgtrigger.Insert,
                "SELECT opportunity_id FROM new_shifts",
                new="new_shifts",
            ),
            _upcoming_trigger(
                "shift_upcoming_update",
                pgtrigger.Update,
                "SELECT opportunity_id FROM new_shifts UNION SELECT opportunity_id FROM old_shifts",
                new="new_shifts",
                old="old_shifts",
            ),
            _upcoming_trigger(
                "shift_upcoming_delete",
                pgtrigger.Delete,
                "SELECT opportunity_id FROM old_shifts",
                old="old_shifts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def length_minutes(self) -> int:
        return int(self.length.total_seconds() // 60)


class Signup(models.Model):
    class State(models.TextChoices):
        CONFIRMED = "confirmed", "Place confirmed"
        WAITLISTED = "waitlisted", "On the waiting list"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (State.CONFIRMED, State.WAITLISTED)

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signups"
    )
    status = models.CharField(max_length=12, choices=State.choices)
    created = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # None until the organiser ticks the list: True checked in, False did not come.
    attended = models.BooleanField(null=True, blank=True)
    # The friend whose invite link brought them to this shift (for the friend bonus).
    brought_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # When the person was told the time within a day (two hours) of the start: by the
    # reminder task, or by the confirmation itself when they got their place that late.
    reminded_24h_at = models.DateTimeField(null=True, blank=True)
    reminded_2h_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            # One live sign-up per person per shift; a cancelled one may be followed by another.
            models.UniqueConstraint(
                fields=["shift", "user"],
                condition=Q(status__in=["confirmed", "waitlisted"]),
                name="signup_one_active_per_shift",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on shift {self.shift_id}: {self.status}"


class Invite(models.Model):
    """A link a resident shares so that a friend can join them: on one shift, or on a
    shift of the opportunity they pick. The token in the link is the whole key, so it is
    unguessable; one link per person per shift (or per opportunity), however often asked."""

    inviter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invites"
    )
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["inviter", "shift"],
                condition=Q(shift__isnull=False),
                name="invite_one_per_shift",
            ),
            models.UniqueConstraint(
                fields=["inviter", "opportunity"],
                condition=Q(shift__isnull=True),
                name="invite_one_per_opportunity",
            ),
        ]

    def __str__(self) -> str:
        return f"invite from user {self.inviter_id} to opportunity {self.opportunity_id}"


class DbsRecord(models.Model):
    """The outcome and date of a volunteer's DBS check, as seen by an organiser.
    Never the certificate itself, nor its number."""

    class Outcome(models.TextChoices):
        CLEAR = "clear", "Clear"
        NOT_CLEAR = "not_clear", "Not clear"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dbs_records"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    checked_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    group = models.ForeignKey(CommunityGroup, on_delete=models.SET_NULL, null=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-id"]

    def __str__(self) -> str:
        return f"DBS {self.outcome} on {self.checked_on} for user {self.user_id}"


class DbsReminder(models.Model):
    """A reminder sent that a DBS record is about to stop being current, so that the
    daily run sends each one once (services/dbs.py)."""

    record = models.ForeignKey(DbsRecord, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "days_before"], name="dbs_reminder_once_per_record_and_day"
            ),
        ]

    def __str__(self) -> str:
        return f"DBS reminder {self.days_before} days before, record {self.record_id}"


class Hours(models.Model):
    """Time given on one shift. A confirmed record is what coins are minted from."""

    class State(models.TextChoices):
        CLAIMED = "claimed", "Claimed by the volunteer"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Not confirmed"

    signup = models.OneToOneField(Signup, on_delete=models.PROTECT, related_name="hours")
    minutes = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=State.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    # The ledger transfer that paid for these hours (none where a cap or the scheme
    # gave no coins); a correction points it at the new one.
    mint = models.ForeignKey(
        "coins.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=24 * 60), name="hours_minutes_range"
            ),
            models.CheckConstraint(
                condition=Q(status="claimed") | Q(decided_at__isnull=False),
                name="hours_decision_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min for signup {self.signup_id}: {self.status}"

    @property
    def hours_display(self) -> str:
        return duration_text(self.minutes)


class CalendarFeed(models.Model):
    """A private, revocable address from which a calendar app reads a person's shifts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed of user {self.user_id}"


class ShiftMessage(models.Model):
    """What an organiser sent to everyone on a shift; kept so the task can send it."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.CharField(max_length=120)
    body = models.TextField(max_length=2000)
    created = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.subject


class SavedSearch(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    # What the search page's filters said, as its form reads them (field -> value).
    query = models.JSONField(default=dict)
    summary = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name_plural = "saved searches"

    def __str__(self) -> str:
        return self.summary

    @property
    def search_path(self) -> str:
        """The search page showing these filters."""
        return f"{reverse('board:search')}?{urlencode(self.query)}"


class SavedSearchMatch(models.Model):
    """A person was told about this opportunity: one row, so one notification, however
    many of their searches match and however often the fan-out runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "opportunity"], name="saved_search_match_once"),
        ]

    def __str__(self) -> str:
        return f"opportunity {self.opportunity_id} for user {self.user_id}"
