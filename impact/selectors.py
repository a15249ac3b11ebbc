"""The council's figures, month by month, for one scheme, optionally one ward (where the
volunteering happened: the opportunity's ward, or the shop's) and one cause. Raw counts
here; impact.tables suppresses them before anyone sees them.

Whole months are read from the rollup (impact.rollup, counted by Celery beat); a
sponsor's report, which starts at the moment they paid, is counted live here, by the
same definitions (a test holds the two equal)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, F, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from coins.models import Entry, Payout, Scheme, Sponsorship, Transfer
from impact.models import MONTH_BITS, ActiveMonths, MonthFigures, Rollup, Slice
from marketplace.board.models import CommunityGroup, Hours, Opportunity, Shift, Signup
from marketplace.rewards.models import Redemption
from places.models import Ward


@dataclass(frozen=True)
class Filters:
    scheme: Scheme
    first: date  # the first day of the first month
    last: date  # the first day of the last month
    ward: Ward | None = None
    cause: str = ""
    group: CommunityGroup | None = None  # a group's own report: its shifts only
    since: datetime | None = None  # a sponsor's report: from the moment they paid

    @property
    def start(self) -> datetime:
        return self.since or _moment(self.first)

    @property
    def end(self) -> datetime:
        return _moment(next_month(self.last))

    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = next_month(month)
        return months


@dataclass
class Month:
    """One month's raw figures. People: volunteers, new, returning, places, attended,
    no_shows. The rest belong to those cells (minutes, coins) or count organisations."""

    month: date
    minutes: int = 0
    volunteers: int = 0
    new: int = 0
    places: int = 0
    shifts: int = 0
    places_offered: int = 0
    attended: int = 0
    no_shows: int = 0
    groups_active: int = 0
    shops_active: int = 0
    opportunities_posted: int = 0
    shifts_filled: int = 0
    coins_minted: int = 0
    coins_redeemed: int = 0
    coins_donated: int | None = 0  # None: not counted by ward (no place belongs to it)
    coins_expired: int | None = 0
    sponsorship_pence: int | None = 0
    paid_out_pence: int | None = 0

    @property
    def returning(self) -> int:
        return self.volunteers - self.new


@dataclass
class Totals:
    """Over the whole range: each person once, however many months they gave time."""

    volunteers: int = 0
    new: int = 0
    regular: int = 0  # gave time in at least REGULAR_MONTHS of the months
    sums: dict[str, int | None] = field(default_factory=dict)


REGULAR_MONTHS = 3


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def months_figures(filters: Filters) -> tuple[list[Month], Totals]:
    """From the rollup, or counted live for a report that starts mid-month."""
    return months_counted(filters) if filters.since else months_rolled_up(filters)


def rollup_of(scheme: Scheme) -> Rollup | None:
    """When the scheme's figures were last counted; None before the first time."""
    return Rollup.objects.filter(scheme=scheme).first()


# Gifts, expiry, sponsors' money and payouts belong to no place: only the whole scheme
# (and a group's report, as the live count) has them. Sales belong to the shop's ward.
_SCHEME_WIDE = ("coins_donated", "coins_expired", "sponsorship_pence", "paid_out_pence")
_SHOPS = ("shops_active", "coins_redeemed")
_SHOP_SLICE = {Slice.CAUSE: Slice.ALL, Slice.WARD_CAUSE: Slice.WARD, Slice.GROUP: Slice.ALL}


def slice_where(filters: Filters, slice: str | None = None) -> dict[str, Any]:
    """The rollup rows of the filters' slice (or of `slice` of the same ward)."""
    if slice is None:
        if filters.group is not None:
            slice = Slice.GROUP
        elif filters.ward is not None:
            slice = Slice.WARD_CAUSE if filters.cause else Slice.WARD
        else:
            slice = Slice.CAUSE if filters.cause else Slice.ALL
    return {
        "scheme": filters.scheme,
        "slice": slice,
        "ward": filters.ward if slice in (Slice.WARD, Slice.WARD_CAUSE) else None,
        "cause": filters.cause if slice in (Slice.CAUSE, Slice.WARD_CAUSE) else "",
        "group": filters.group if slice == Slice.GROUP else None,
    }


def months_rolled_up(filters: Filters) -> tuple[list[Month], Totals]:
    rows = {month: Month(month) for month in filters.months()}
    where = slice_where(filters)
    shops = slice_where(filters, _SHOP_SLICE.get(where["slice"], where["slice"]))
    by_place = filters.ward is not None or bool(filters.cause)
    columns = [
        f.name for f in MonthFigures._meta.concrete_fields if f.name in Month.__dataclass_fields__
    ]
    columns.remove("month")
    for row in _rolled_months(filters, where, columns):
        for name in columns:
            if name not in _SHOPS + _SCHEME_WIDE:
                setattr(rows[row["month"]], name, row[name])
    for row in _rolled_months(filters, shops, list(_SHOPS)):
        for name in _SHOPS:
            setattr(rows[row["month"]], name, row[name])
    scheme_wide = (
        {}
        if by_place
        else {
            row["month"]: row
            for row in _rolled_months(filters, slice_where(filters, Slice.ALL), list(_SCHEME_WIDE))
        }
    )
    for month, figures in rows.items():
        for name in _SCHEME_WIDE:
            setattr(figures, name, None if by_place else scheme_wide.get(month, {}).get(name, 0))
    people = _active(filters, where, ActiveMonths.Kind.VOLUNTEER)
    totals = Totals(volunteers=people["n"], new=people["new"], regular=people["regular"])
    _summed(totals, rows.values())
    totals.sums["groups_active"] = _active(filters, where, ActiveMonths.Kind.GROUP)["n"]
    totals.sums["shops_active"] = _active(filters, shops, ActiveMonths.Kind.SHOP)["n"]
    return list(rows.values()), totals


def _rolled_months(filters: Filters, where: dict[str, Any], columns: list[str]) -> Iterable[dict]:
    return (
        MonthFigures.objects.filter(month__gte=filters.first, month__lte=filters.last, **where)
        .values("month")
        .annotate(**{name: Sum(name) for name in columns})
    )


def _active(filters: Filters, where: dict[str, Any], kind: str) -> dict[str, int]:
    """How many of `kind` were active in the months, each once; for volunteers, how many
    were new (their first month is one of these) and regular."""
    return (
        ActiveMonths.objects.filter(kind=kind, **where)
        .annotate(active=_months_active(filters))
        .filter(active__gt=0)
        .aggregate(
            n=Count("pk"),
            new=Count(
                "pk", filter=Q(first_month__gte=filters.first, first_month__lte=filters.last)
            ),
            regular=Count("pk", filter=Q(active__gte=REGULAR_MONTHS)),
        )
    )


def _months_active(filters: Filters) -> RawSQL:
    """In how many of the filters' months a row of ActiveMonths was active."""
    bits = ["0"] * MONTH_BITS
    for month in filters.months():
        bits[(month.year - 2000) * 12 + month.month - 1] = "1"
    mask = "".join(bits)
    return RawSQL(f"bit_count(months & %s::bit({MONTH_BITS}))", [mask], IntegerField())  # noqa: S611


@dataclass(frozen=True)
class WardFigures:
    ward: Ward
    volunteers: int  # each once over the months
    minutes: int


def wards_figures(filters: Filters) -> list[WardFigures]:
    """Each of the scheme's wards over the months (for the cause, if one is chosen)."""
    where = slice_where(filters, Slice.WARD_CAUSE if filters.cause else Slice.WARD)
    del where["ward"]
    people = dict(
        ActiveMonths.objects.filter(kind=ActiveMonths.Kind.VOLUNTEER, **where)
        .annotate(active=_months_active(filters))
        .filter(active__gt=0)
        .values("ward")
        .annotate(n=Count("pk"))
        .values_list("ward", "n")
    )
    minutes = dict(
        MonthFigures.objects.filter(month__gte=filters.first, month__lte=filters.last, **where)
        .values("ward")
        .annotate(n=Sum("minutes"))
        .values_list("ward", "n")
    )
    wards = Ward.objects.filter(scheme=filters.scheme).order_by("name")
    return [WardFigures(w, people.get(w.pk, 0), minutes.get(w.pk, 0)) for w in wards]


def months_counted(filters: Filters) -> tuple[list[Month], Totals]:
    """Counted live from the records, to the moment (`since`)."""
    rows = {month: Month(month) for month in filters.months()}
    _volunteering(filters, rows)
    _places(filters, rows)
    _organisations(filters, rows)
    _coins(filters, rows)
    _money(filters, rows)
    return list(rows.values()), _totals(filters, rows.values())


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _month_of(moment: datetime) -> date:
    return timezone.localtime(moment).date().replace(day=1)


def _shifts(filters: Filters) -> QuerySet[Shift]:
    shifts = Shift.objects.filter(
        opportunity__scheme=filters.scheme, start__gte=filters.start, start__lt=filters.end
    )
    if filters.ward is not None:
        shifts = shifts.filter(opportunity__ward=filters.ward)
    if filters.cause:
        shifts = shifts.filter(opportunity__causes__contains=[filters.cause])
    if filters.group is not None:
        shifts = shifts.filter(opportunity__group=filters.group)
    return shifts


def _confirmed(filters: Filters) -> QuerySet[Hours]:
    return Hours.objects.filter(status=Hours.State.CONFIRMED, signup__shift__in=_shifts(filters))


def _firsts(filters: Filters) -> dict[int, date]:
    """Each of the filters' volunteers' first month of confirmed hours anywhere in the
    scheme, ever."""
    people = _confirmed(filters).values("signup__user")
    firsts = (
        Hours.objects.filter(
            status=Hours.State.CONFIRMED,
            signup__shift__opportunity__scheme=filters.scheme,
            signup__user__in=people,
        )
        .values("signup__user")
        .annotate(first=Min("signup__shift__start"))
    )
    return {row["signup__user"]: _month_of(row["first"]) for row in firsts}


def _volunteering(filters: Filters, rows: dict[date, Month]) -> None:
    by_month = (
        _confirmed(filters)
        .annotate(month=TruncMonth("signup__shift__start"))
        .values("month", "signup__user")
        .annotate(minutes=Sum("minutes"))
    )
    firsts = _firsts(filters)
    for row in by_month:
        month = rows[row["month"].date()]
        month.minutes += row["minutes"]
        month.volunteers += 1
        month.new += firsts.get(row["signup__user"]) == month.month


def _places(filters: Filters, rows: dict[date, Month]) -> None:
    places = (
        Signup.objects.filter(shift__in=_shifts(filters), status=Signup.State.CONFIRMED)
        .annotate(month=TruncMonth("shift__start"))
        .values("month")
        .annotate(
            n_places=Count("pk"),
            n_came=Count("pk", filter=Q(attended=True)),
            n_missed=Count("pk", filter=Q(attended=False)),
        )
    )
    for row in places:
        month = rows[row["month"].date()]
        month.places, month.attended, month.no_shows = (
            row["n_places"],
            row["n_came"],
            row["n_missed"],
        )
    taken = (
        Signup.objects.filter(shift=OuterRef("pk"), status=Signup.State.CONFIRMED)
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    full = (
        _shifts(filters)
        .filter(cancelled_at__isnull=True)
        .annotate(taken=Coalesce(Subquery(taken), 0))
        .filter(taken__gte=F("capacity"))
    )
    for start in full.values_list("start", flat=True):
        rows[_month_of(start)].shifts_filled += 1
    held = _shifts(filters).filter(cancelled_at__isnull=True)
    for start, capacity in held.values_list("start", "capacity"):
        month = rows[_month_of(start)]
        month.shifts += 1
        month.places_offered += capacity


def _organisations(filters: Filters, rows: dict[date, Month]) -> None:
    groups = (
        _confirmed(filters)
        .annotate(month=TruncMonth("signup__shift__start"))
        .values("month")
        .annotate(n=Count("signup__shift__opportunity__group", distinct=True))
    )
    for row in groups:
        rows[row["month"].date()].groups_active = row["n"]
    posted = Opportunity.objects.filter(
        scheme=filters.scheme, published_at__gte=filters.start, published_at__lt=filters.end
    )
    if filters.ward is not None:
        posted = posted.filter(ward=filters.ward)
    if filters.cause:
        posted = posted.filter(causes__contains=[filters.cause])
    if filters.group is not None:
        posted = posted.filter(group=filters.group)
    for row in _per_month(posted, "published_at"):
        rows[row["month"]].opportunities_posted = row["n"]
    for row in _per_month(_sales(filters), "redeemed_at", distinct="retailer"):
        rows[row["month"]].shops_active = row["n"]


def _sales(filters: Filters) -> QuerySet[Redemption]:
    sales = Redemption.objects.filter(
        scheme=filters.scheme,
        status__in=Redemption.SOLD,
        redeemed_at__gte=filters.start,
        redeemed_at__lt=filters.end,
    )
    return sales.filter(retailer__ward=filters.ward) if filters.ward is not None else sales


def _per_month(found: QuerySet[Any], moment: str, *, distinct: str = "pk") -> Iterable[dict]:
    counted = (
        found.annotate(month=TruncMonth(moment))
        .values("month")
        .annotate(n=Count(distinct, distinct=True))
    )
    return ({"month": row["month"].date(), "n": row["n"]} for row in counted)


def _coins(filters: Filters, rows: dict[date, Month]) -> None:
    """Minted for the hours counted here (by the shift's month), redeemed at the shops
    counted here; gifts and expiry belong to no place, so only the whole scheme has them."""
    minted = (
        _confirmed(filters)
        .filter(mint__isnull=False)
        .annotate(month=TruncMonth("signup__shift__start"))
        .values("month")
        .annotate(n=Sum("mint__entries__amount", filter=Q(mint__entries__amount__gt=0)))
    )
    for row in minted:
        rows[row["month"].date()].coins_minted = row["n"] or 0
    for row in (
        _sales(filters)
        .filter(status=Redemption.State.REDEEMED)
        .annotate(month=TruncMonth("redeemed_at"))
        .values("month")
        .annotate(n=Sum("price"))
    ):
        rows[row["month"].date()].coins_redeemed = row["n"]
    by_ward = filters.ward is not None or bool(filters.cause)
    for kind, name in (
        (Transfer.Kind.DONATION, "coins_donated"),
        (Transfer.Kind.EXPIRY, "coins_expired"),
    ):
        _scheme_wide(filters, rows, name, None if by_ward else _moved(filters, kind))


def _moved(filters: Filters, kind: str) -> dict[date, int]:
    moved = Entry.objects.filter(
        transfer__scheme=filters.scheme,
        transfer__kind=kind,
        transfer__created__gte=filters.start,
        transfer__created__lt=filters.end,
        amount__gt=0,
    )
    return _sum_by_month(moved, "transfer__created", "amount")


def _scheme_wide(
    filters: Filters, rows: dict[date, Month], name: str, values: dict[date, int] | None
) -> None:
    for month, row in rows.items():
        setattr(row, name, None if values is None else values.get(month, 0))


def _money(filters: Filters, rows: dict[date, Month]) -> None:
    by_place = filters.ward is not None or bool(filters.cause)
    window = {"created__gte": filters.start, "created__lt": filters.end}
    paid = Sponsorship.objects.filter(
        scheme=filters.scheme, status=Sponsorship.State.PAID, **window
    )
    payouts = Payout.objects.filter(scheme=filters.scheme, status=Payout.State.PAID, **window)
    received = _sum_by_month(paid, "created", "amount_pence")
    out = _sum_by_month(payouts, "created", "pence")
    _scheme_wide(filters, rows, "sponsorship_pence", None if by_place else received)
    _scheme_wide(filters, rows, "paid_out_pence", None if by_place else out)


def _sum_by_month(found: QuerySet[Any], moment: str, amount: str) -> dict[date, int]:
    summed = found.annotate(month=TruncMonth(moment)).values("month").annotate(n=Sum(amount))
    return {row["month"].date(): row["n"] for row in summed}


def _totals(filters: Filters, months: Iterable[Month]) -> Totals:
    people = set(_confirmed(filters).values_list("signup__user", flat=True).distinct())
    firsts = _firsts(filters)
    in_range = set(filters.months())
    months_each = (
        _confirmed(filters)
        .annotate(month=TruncMonth("signup__shift__start"))
        .values("signup__user")
        .annotate(n=Count("month", distinct=True))
    )
    totals = Totals(
        volunteers=len(people),
        new=sum(1 for p in people if firsts.get(p) in in_range),
        regular=months_each.filter(n__gte=REGULAR_MONTHS).count(),
    )
    _summed(totals, months)
    # An organisation active in three months is one organisation in all of them.
    group = "signup__shift__opportunity__group"
    totals.sums["groups_active"] = _confirmed(filters).values(group).distinct().count()
    totals.sums["shops_active"] = _sales(filters).values("retailer").distinct().count()
    return totals


def _summed(totals: Totals, months: Iterable[Month]) -> None:
    months = list(months)
    for name in Month.__dataclass_fields__:
        if name in ("month", "volunteers", "new"):
            continue
        values = [getattr(m, name) for m in months]
        totals.sums[name] = None if None in values else sum(values)
