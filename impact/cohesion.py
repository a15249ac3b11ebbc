"""What the scheme did for cohesion, month by month, for the council's dashboard: who
met whom on shifts, hours given outside the volunteer's own ward, first-timers who came
back, and what the pulse said, beside the national figures for the same questions.

Who met whom is read from the rollup (impact.rollup counts it with the rest, every few
minutes); the pulse, a few rows a person a month, is counted live. Raw counts stay here;
what leaves is a share, hidden wherever fewer than k people stand behind it. Home wards
come from people's postcodes, age bands from their dates of birth, ethnic groups from
"About me" answers (never "prefer not to say"): a person who gave none is left out of
that measure, not counted as different."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum

from accounts.models import AGE_BANDS
from cohesion.models import Item, PulseAnswer
from impact.models import MonthFigures
from impact.rollup import CAME_BACK_DAYS
from impact.selectors import Filters, slice_where
from impact.suppression import Cell, hidden
from impact.tables import Column, Table


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
        Column("came_back", f"First-timers who came back within {CAME_BACK_DAYS} days", "%"),
        "Of the people whose first confirmed shift in the scheme was in the month, the share "
        f"with another confirmed shift within {CAME_BACK_DAYS} days of it; counted once their "
        f"{CAME_BACK_DAYS} days are over, so the latest months count only the first-timers "
        f"whose {CAME_BACK_DAYS} days have passed.",
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
    mixing = _mixing(filters)
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


# The rollup's columns for each mixing measure: (part, whole, people behind the whole).
ROLLED_UP = {
    "mixed_wards": ("mix_ward_mixed", "mix_ward_shifts", "mix_ward_people"),
    "mixed_ages": ("mix_age_mixed", "mix_age_shifts", "mix_age_people"),
    "mixed_backgrounds": ("mix_ethnic_mixed", "mix_ethnic_shifts", "mix_ethnic_people"),
    "outside_ward": ("outside_minutes", "known_minutes", "known_people"),
    "came_back": ("came_back", "firsts_done", "firsts_done"),
}


def _mixing(filters: Filters) -> dict[str, Shares]:
    """From the rollup (impact.rollup counts it). Over the whole range parts and wholes
    add up (a shift, a minute or a first-timer belongs to one month), but people, each
    counted once, are not kept over a range: the month with most people stands for them,
    since at least that many stand behind the whole. So a range is shown where one of
    its months has k or more people behind it, hidden otherwise."""
    columns = {column for columns in ROLLED_UP.values() for column in columns}
    rows = (
        MonthFigures.objects.filter(
            month__gte=filters.first, month__lte=filters.last, **slice_where(filters)
        )
        .values("month")
        .annotate(**{column: Sum(column) for column in columns})
    )
    shares: dict[str, Shares] = {key: {} for key in ROLLED_UP}
    for row in rows:
        for key, (part, whole, people) in ROLLED_UP.items():
            shares[key][row["month"]] = Share(row[part], row[whole], row[people])
    for by_month in shares.values():
        months = list(by_month.values())
        by_month[None] = Share(
            sum(s.part for s in months),
            sum(s.whole for s in months),
            max((s.people for s in months), default=0),
        )
    return shares


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
