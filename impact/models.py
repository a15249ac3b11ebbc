"""The rollup the dashboard reads: each scheme's figures counted into month rows and
active-month bitmaps by Celery beat (impact.rollup), and when that was last done.

A slice is one way the council can filter: the whole scheme, a ward, a cause, a ward and
a cause, or one group (its own report). Rows are written only by impact.rollup."""

from django.db import models

from coins.models import Scheme
from marketplace.board.models import CommunityGroup
from places.models import Ward

MONTH_BITS = 600  # January 2000 to December 2049


class MonthBits(models.Field):
    """The months something happened in, as bit(600): bit i is the i-th month counted
    from January 2000. Only SQL reads and writes it (impact.rollup)."""

    def db_type(self, connection: object) -> str:
        return f"bit({MONTH_BITS})"


class Slice(models.TextChoices):
    ALL = "all", "The whole scheme"
    WARD = "ward", "A ward"
    CAUSE = "cause", "A cause"
    WARD_CAUSE = "ward_cause", "A ward and a cause"
    GROUP = "group", "A group"


class Rollup(models.Model):
    """The last time a scheme's figures were counted, and how long it took."""

    scheme = models.OneToOneField(
        Scheme, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    counted_at = models.DateTimeField()
    took_ms = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.scheme_id} counted at {self.counted_at:%Y-%m-%d %H:%M}"


class Sliced(models.Model):
    """A row of one slice: the scheme, and the ward, cause or group it is filtered to."""

    # No foreign keys in the database: checking each of millions of rows written at
    # every count would cost more than the count; the next count drops what is gone.
    scheme = models.ForeignKey(
        Scheme, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    slice = models.CharField(max_length=10, choices=Slice.choices)
    ward = models.ForeignKey(
        Ward,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    cause = models.CharField(max_length=40, blank=True)
    group = models.ForeignKey(
        CommunityGroup,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        abstract = True


class MonthFigures(Sliced):
    """Raw figures of one slice in one month. A slice's month may have several rows, each
    holding the columns of one source (hours, places, shifts, sales…): read their sum."""

    month = models.DateField()
    minutes = models.BigIntegerField(db_default=0)
    volunteers = models.IntegerField(db_default=0)
    new = models.IntegerField(db_default=0)
    coins_minted = models.BigIntegerField(db_default=0)
    groups_active = models.IntegerField(db_default=0)
    places = models.IntegerField(db_default=0)
    attended = models.IntegerField(db_default=0)
    no_shows = models.IntegerField(db_default=0)
    shifts = models.IntegerField(db_default=0)
    places_offered = models.BigIntegerField(db_default=0)
    shifts_filled = models.IntegerField(db_default=0)
    opportunities_posted = models.IntegerField(db_default=0)
    shops_active = models.IntegerField(db_default=0)
    coins_redeemed = models.BigIntegerField(db_default=0)
    coins_donated = models.BigIntegerField(db_default=0)
    coins_expired = models.BigIntegerField(db_default=0)
    sponsorship_pence = models.BigIntegerField(db_default=0)
    paid_out_pence = models.BigIntegerField(db_default=0)
    # Who met whom (impact.cohesion): for each trait, the shifts with two or more
    # volunteers whose trait is known, those where it differed, and the people on them.
    mix_ward_shifts = models.IntegerField(db_default=0)
    mix_ward_mixed = models.IntegerField(db_default=0)
    mix_ward_people = models.IntegerField(db_default=0)
    mix_age_shifts = models.IntegerField(db_default=0)
    mix_age_mixed = models.IntegerField(db_default=0)
    mix_age_people = models.IntegerField(db_default=0)
    mix_ethnic_shifts = models.IntegerField(db_default=0)
    mix_ethnic_mixed = models.IntegerField(db_default=0)
    mix_ethnic_people = models.IntegerField(db_default=0)
    # Minutes whose home and opportunity wards are both known, those outside, and people.
    known_minutes = models.BigIntegerField(db_default=0)
    outside_minutes = models.BigIntegerField(db_default=0)
    known_people = models.IntegerField(db_default=0)
    # First-timers in the month whose 60 days were over when counted, and those back.
    firsts_done = models.IntegerField(db_default=0)
    came_back = models.IntegerField(db_default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["scheme", "slice", "ward", "cause", "group", "month"],
                name="impact_month_slice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.slice} {self.month:%Y-%m}"


class ActiveMonths(Sliced):
    """One volunteer, group or shop in one slice: the months it was active in, so that a
    range's totals count each of them once, and its first month in the scheme (volunteers)."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", "Volunteer"
        GROUP = "group", "Group"
        SHOP = "shop", "Shop"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    member = models.BigIntegerField()  # the user's, group's or shop's id
    first_month = models.DateField(null=True)
    months = MonthBits()

    class Meta:
        indexes = [
            models.Index(
                fields=["scheme", "slice", "ward", "cause", "group", "kind"],
                name="impact_active_slice",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.member} in {self.slice}"
