"""What the scheme did for cohesion, month by month, for the council's dashboard: who
met whom on shifts, hours given outside the volunteer's own ward, first-timers who came
back, and what the pulse said, beside the national figures for the same questions.

Counted live from the records (the rollup holds none of this). Raw counts stay here;
what leaves is a share, hidden wherever fewer than k people stand behind it. Home wards
come from people's postcodes, age bands from their dates of birth, ethnic groups from
"About me" answers (never "prefer not to say"): a person who gave none is left out of
that measure, not counted as different."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import AGE_BANDS
from cohesion.models import Item, PulseAnswer
from impact.selectors import Filters
from impact.suppression import Cell, hidden
from impact.tables import Column, Table

CAME_BACK_DAYS = 60


@dataclass(frozen=True)
class Measure:
    column: Column
    definition: str
    national: int | None = None  # the Community Life Survey's figure, per cent
    national_source: str = ""


CLS = "Community Life Survey 2018/19, England (DCMS)"
MIXING = [
    Measure(
        Column("mixed_wards", "Shifts where people from 2 or more wards met", "%"),
        "Of the shifts with at least two volunteers whose home ward we know (from their "
        "postcode), the share where they came from two or more wards.",
    ),
    Measure(
        Column("mixed_ages", "Shifts where 2 or more age bands met", "%"),
        "Of the shifts with at least two volunteers whose age we know, the share where they "
        "were in two or more of the bands " + ", ".join(name for _, name in AGE_BANDS) + ".",
    ),
    Measure(
        Column("mixed_backgrounds", "Shifts where 2 or more ethnic groups met", "%"),
        "Of the shifts with at least two volunteers who told us their ethnic group in "
        "“About me”, the share where they gave two or more groups.",
    ),
    Measure(
        Column("outside_ward", "Hours given outside the volunteer's own ward", "%"),
        "Of the confirmed hours where both the volunteer's home ward and the opportunity's "
        "ward are known, the share given in another ward than the volunteer's own.",
    ),
    Measure(
        Column("came_back", "First-timers who came back within 60 days", "%"),
        "Of the people whose first confirmed shift in the scheme was in the month, the share "
        "with another confirmed shift within 60 days of it; counted once their 60 days are "
        "over, so the latest months count only the first-timers whose 60 days have passed.",
    ),
]
PULSE = [
    Measure(
        Column("met_new", "Met someone new", "%"),
        "Answered yes to “Did you meet someone new?” in the pulse after a shift.",
    ),
    Measure(
        Column("met_different", "Met someone from a different background", "%"),
        "Answered yes to “Did you meet someone from a different background from yours?”.",
    ),
    Measure(
        Column("get_on", "Agree people from different backgrounds get on well", "%"),
        "Definitely or tend to agree that their local area is a place where people from "
        "different backgrounds get on well together.",
        national=81,
        national_source=CLS,
    ),
    Measure(
        Column("belong", "Feel they belong to their neighbourhood", "%"),
        "Feel very or fairly strongly that they belong to their immediate neighbourhood.",
        national=62,
        national_source=CLS,
    ),
    Measure(
        Column("trust", "Say many or some neighbours can be trusted", "%"),
        "Say that many or some of the people in their neighbourhood can be trusted.",
    ),
]
PULSE_ANSWERS = Column("answers", "Pulse answers")
# Which pulse column each standard item's answers fill.
ITEM_COLUMN = {Item.GET_ON: "get_on", Item.BELONG: "belong", Item.TRUST: "trust"}
POSITIVE_SCORE = 2  # the two points on the agreeing side of each four-point scale


@dataclass
class Share:
    """A part of a whole, and how many people stand behind the whole."""

    part: int = 0
    whole: int = 0
    people: int = 0

    def cell(self, k: int) -> Cell:
        """Hidden under k people, and where there is nothing to take a share of (no
        answers is not "0% agreed"; it reads "fewer than k", which is true)."""
        if hidden(self.people, k) or self.whole == 0:
            return None
        return (self.part * 200 + self.whole) // (self.whole * 2)


Shares = dict[date | None, Share]  # by month; None is the whole range


def cohesion_tables(filters: Filters) -> list[Table]:
    """The mixing measures and the pulse, as tables the dashboard, CSV and API show."""
    k = filters.scheme.privacy_k
    mixing = _mixing(filters) | {"came_back": _came_back(filters)}
    pulse = _pulse(filters)
    return [
        _table("mixing", "Who met whom", [m.column for m in MIXING], filters, mixing, k),
        _table(
            "pulse",
            "How it felt: the pulse after a shift",
            [m.column for m in PULSE] + [PULSE_ANSWERS],
            filters,
            pulse,
            k,
            by_cause=False,
        ),
    ]


def _table(
    key: str,
    title: str,
    columns: list[Column],
    filters: Filters,
    shares: dict[str, Shares],
    k: int,
    *,
    by_cause: bool = True,
) -> Table:
    months = filters.months()
    cells: dict[str, list[Cell]] = {}
    totals: dict[str, Cell] = {}
    for column in columns:
        found = shares.get(column.key, {})
        if column is PULSE_ANSWERS:  # a count, not a share
            counts = [found.get(m, Share()).whole for m in [*months, None]]
            *cells[column.key], totals[column.key] = [None if hidden(n, k) else n for n in counts]
            continue
        cells[column.key] = [found.get(m, Share()).cell(k) for m in months]
        totals[column.key] = found.get(None, Share()).cell(k)
    not_counted = frozenset() if by_cause or not filters.cause else {c.key for c in columns}
    return Table(key, title, columns, months, cells, totals, frozenset(not_counted))


def _where(filters: Filters, params: dict[str, Any], *, start: str = "s.start") -> str:
    """The filters as SQL on a shift (s) of an opportunity (o)."""
    params |= {"scheme": filters.scheme.pk, "start": filters.start, "end": filters.end}
    where = [f"o.scheme_id = %(scheme)s AND {start} >= %(start)s AND {start} < %(end)s"]
    if filters.ward is not None:
        params["ward"] = filters.ward.pk
        where.append("o.ward_id = %(ward)s")
    if filters.cause:
        params["cause"] = [filters.cause]
        where.append("o.causes @> %(cause)s::varchar[]")
    return " AND ".join(where)


def _month(moment: str) -> str:
    return f"date_trunc('month', {moment} AT TIME ZONE %(tz)s)::date"


def _age_band_sql() -> str:
    """User.age_band() on the shift's day, in SQL: the same bands from accounts."""
    age = "date_part('year', age((s.start AT TIME ZONE %(tz)s)::date, u.birth_date))"
    bands = " ".join(
        f"WHEN {age} >= {youngest} THEN '{name}'" for youngest, name in reversed(AGE_BANDS)
    )
    under_18 = AGE_BANDS[0][1]
    return (
        f"CASE WHEN u.birth_date IS NULL THEN "
        f"(CASE WHEN u.declared_under_18 THEN '{under_18}' END) {bands} END"
    )


# Each confirmed record with what the measures compare: the volunteer's home ward, age
# band and ethnic group (NULL where unknown), and the opportunity's ward.
_GIVEN = """
SELECT s.id AS shift_id, {month} AS month, su.user_id, h.minutes, o.ward_id AS here,
       pc.ward_id AS home, {band} AS band, bg.ethnic_group AS ethnic
FROM marketplace_hours h
JOIN marketplace_signup su ON su.id = h.signup_id
JOIN marketplace_shift s ON s.id = su.shift_id
JOIN marketplace_opportunity o ON o.id = s.opportunity_id
JOIN accounts_user u ON u.id = su.user_id
LEFT JOIN places_postcode pc ON pc.postcode = u.postcode
LEFT JOIN accounts_background bg ON bg.user_id = u.id AND bg.ethnic_group <> 'unsaid'
WHERE h.status = 'confirmed' AND {where}
"""

# Per month, and for the whole range (the row whose month is NULL): for each trait, the
# shifts with two or more volunteers who have it known, those where it differed, and
# the people on those shifts; and the hours whose two wards are known, outside, people.
_MIXING = """
WITH given AS ({given}),
shifts AS (
    SELECT shift_id,
           COUNT(home) >= 2 AS by_ward, COUNT(DISTINCT home) >= 2 AS wards,
           COUNT(band) >= 2 AS by_age, COUNT(DISTINCT band) >= 2 AS ages,
           COUNT(ethnic) >= 2 AS by_ethnic, COUNT(DISTINCT ethnic) >= 2 AS ethnics
    FROM given GROUP BY shift_id
)
SELECT g.month,
    COUNT(DISTINCT g.shift_id) FILTER (WHERE sh.by_ward),
    COUNT(DISTINCT g.shift_id) FILTER (WHERE sh.wards),
    COUNT(DISTINCT g.user_id) FILTER (WHERE sh.by_ward AND g.home IS NOT NULL),
    COUNT(DISTINCT g.shift_id) FILTER (WHERE sh.by_age),
    COUNT(DISTINCT g.shift_id) FILTER (WHERE sh.ages),
    COUNT(DISTINCT g.user_id) FILTER (WHERE sh.by_age AND g.band IS NOT NULL),
    COUNT(DISTINCT g.shift_id) FILTER (WHERE sh.by_ethnic),
    COUNT(DISTINCT g.shift_id) FILTER (WHERE sh.ethnics),
    COUNT(DISTINCT g.user_id) FILTER (WHERE sh.by_ethnic AND g.ethnic IS NOT NULL),
    COALESCE(SUM(g.minutes) FILTER (WHERE g.home <> g.here), 0),
    COALESCE(SUM(g.minutes) FILTER (WHERE g.home IS NOT NULL AND g.here IS NOT NULL), 0),
    COUNT(DISTINCT g.user_id) FILTER (WHERE g.home IS NOT NULL AND g.here IS NOT NULL)
FROM given g JOIN shifts sh USING (shift_id)
GROUP BY GROUPING SETS ((g.month), ())
"""
MIXING_KEYS = ["mixed_wards", "mixed_ages", "mixed_backgrounds"]


def _mixing(filters: Filters) -> dict[str, Shares]:
    params: dict[str, Any] = {"tz": settings.TIME_ZONE}
    given = _GIVEN.format(
        month=_month("s.start"), band=_age_band_sql(), where=_where(filters, params)
    )
    shares: dict[str, Shares] = {key: {} for key in [*MIXING_KEYS, "outside_ward"]}
    with connection.cursor() as cursor:
        cursor.execute(_MIXING.format(given=given), params)
        for month, *counts in cursor.fetchall():
            for n, key in enumerate(MIXING_KEYS):
                whole, part, people = counts[n * 3 : n * 3 + 3]
                shares[key][month] = Share(part, whole, people)
            outside, known, people = counts[9:]
            shares["outside_ward"][month] = Share(outside, known, people)
    return shares


# Each volunteer's first confirmed shift in the scheme (ever), where it was, and whether
# they had another confirmed shift within the days after it.
_CAME_BACK = """
WITH confirmed AS (
    SELECT su.user_id, s.start, o.ward_id, o.causes, o.scheme_id
    FROM marketplace_hours h
    JOIN marketplace_signup su ON su.id = h.signup_id
    JOIN marketplace_shift s ON s.id = su.shift_id
    JOIN marketplace_opportunity o ON o.id = s.opportunity_id
    WHERE h.status = 'confirmed' AND o.scheme_id = %(scheme)s
),
firsts AS (
    SELECT DISTINCT ON (user_id) user_id, start, ward_id, causes, scheme_id
    FROM confirmed ORDER BY user_id, start
)
SELECT {month} AS month, COUNT(*),
    COUNT(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM confirmed c WHERE c.user_id = s.user_id
        AND c.start > s.start AND c.start <= s.start + %(days)s * interval '1 day'
    ))
FROM firsts s JOIN LATERAL (SELECT s.ward_id, s.causes, s.scheme_id) o ON true
WHERE {where} AND s.start <= %(over)s
GROUP BY GROUPING SETS (({month}), ())
"""


def _came_back(filters: Filters) -> Shares:
    over = timezone.now() - timedelta(days=CAME_BACK_DAYS)
    params: dict[str, Any] = {"tz": settings.TIME_ZONE, "days": CAME_BACK_DAYS, "over": over}
    sql = _CAME_BACK.format(month=_month("s.start"), where=_where(filters, params))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {month: Share(back, firsts, firsts) for month, firsts, back in cursor.fetchall()}


def _pulse(filters: Filters) -> dict[str, Shares]:
    """By the month answered and the ward the person lives in (the questions are about
    their neighbourhood). A person answers at most once a fortnight."""
    answers = PulseAnswer.objects.filter(
        scheme=filters.scheme, month__gte=filters.first, month__lte=filters.last
    )
    if filters.ward is not None:
        answers = answers.filter(ward=filters.ward)
    counts = {
        "met_new": ("met_new", Q(met_new=True)),
        "met_different": ("met_different", Q(met_different=True)),
        "score": ("score", Q(score__lte=POSITIVE_SCORE)),
    }
    shares: dict[str, Shares] = {key: {} for key in [*(m.column.key for m in PULSE), "answers"]}
    for grouping in (["month", "item"], ["item"]):
        rows = answers.values(*grouping).annotate(
            n=Count("pk"),
            **{f"{name}_n": Count(field) for name, (field, _) in counts.items()},
            **{f"{name}_yes": Count("pk", filter=yes) for name, (_, yes) in counts.items()},
        )
        for row in rows:
            month = row.get("month")
            for name in ("met_new", "met_different"):
                _add(shares[name], month, row[f"{name}_yes"], row[f"{name}_n"])
            _add(shares[ITEM_COLUMN[row["item"]]], month, row["score_yes"], row["score_n"])
            _add(shares["answers"], month, 0, row["n"])
    return shares


def _add(shares: Shares, month: date | None, part: int, whole: int) -> None:
    """Each answer stands for one person: the whole is also who stands behind it."""
    share = shares.setdefault(month, Share())
    share.part += part
    share.whole += whole
    share.people += whole


def measures() -> list[Measure]:
    """Every measure, for the definitions under the tables."""
    return MIXING + PULSE
