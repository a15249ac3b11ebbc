"""The dashboard's tables as they may be shown: people counts under k suppressed (with
the second cell that keeps each from being worked out), and what belongs to a hidden
cell hidden with it. The page, the CSV and the API all read these, never the raw rows."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from coins.templatetags.pounds import pounds
from impact.selectors import (
    REGULAR_MONTHS,
    Filters,
    Month,
    Totals,
    months_figures,
    wards_figures,
)
from impact.suppression import Cell, column_suppressed, hidden, linked, rounded


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str = ""  # "hours", "£", "%": how a cell reads


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    columns: list[Column]
    months: list[date]
    cells: dict[str, list[Cell]]  # column key -> a cell per month
    totals: dict[str, Cell]
    not_by_place: frozenset[str]  # columns the ward or cause filter has no figure for


VOLUNTEERING = [
    Column("hours", "Hours given", "hours"),
    Column("volunteers", "Volunteers"),
    Column("new", "New volunteers"),
    Column("returning", "Returning volunteers"),
]
SHIFTS = [
    Column("shifts", "Shifts"),
    Column("places_offered", "Places offered"),
    Column("places", "Places taken"),
    Column("fill_rate", "Places filled", "%"),
    Column("attended", "Attended"),
    Column("no_shows", "Did not come"),
    Column("no_show_rate", "No-show rate", "%"),
    Column("shifts_filled", "Shifts filled"),
    Column("opportunities_posted", "Opportunities posted"),
    Column("groups_active", "Groups active"),
]
COINS = [
    Column("coins_minted", "Coins earned"),
    Column("coins_redeemed", "Coins spent in shops"),
    Column("coins_donated", "Coins given"),
    Column("coins_expired", "Coins expired"),
    Column("shops_active", "Shops taking coins"),
    Column("sponsorship_pence", "Sponsorship received", "£"),
    Column("paid_out_pence", "Paid to shops", "£"),
]


@dataclass(frozen=True)
class Value:
    """Social value in pounds, always with how it was worked out and where from."""

    label: str
    pence: int | None  # None: it would tell a count of people under k
    method: str
    source: str


@dataclass(frozen=True)
class WardRow:
    name: str
    code: str
    volunteers: Cell  # each once over the months
    minutes: Cell


def wards_table(filters: Filters) -> list[WardRow]:
    """Volunteers and hours in each ward over the months, suppressed like a column: a
    second ward hides with a lone hidden one, and hours hide with their volunteers."""
    figures = wards_figures(filters)
    counts = [f.volunteers for f in figures]
    people, _ = column_suppressed(counts, total=sum(counts), k=filters.scheme.privacy_k)
    minutes = linked([f.minutes for f in figures], people)
    five = filters.scheme.round_to_five
    return [
        WardRow(f.ward.name, f.ward.code, rounded(p, to_five=five), m)
        for f, p, m in zip(figures, people, minutes, strict=True)
    ]


def impact_tables(filters: Filters) -> list[Table]:
    return impact_report(filters)[0]


def impact_report(filters: Filters) -> tuple[list[Table], list[Value]]:
    months, totals = months_figures(filters)
    k = filters.scheme.privacy_k
    people = _people(months, totals, k, to_five=filters.scheme.round_to_five)
    tables = [
        _table("volunteering", "Volunteering", VOLUNTEERING, months, totals, people),
        _table("shifts", "Sign-ups and shifts", SHIFTS, months, totals, people),
        _table("coins", "Coins and money", COINS, months, totals, people),
    ]
    return tables, _values(filters, tables[0], totals, len(months))


def _values(filters: Filters, volunteering: Table, totals: Totals, months: int) -> list[Value]:
    scheme, values = filters.scheme, []
    if scheme.hour_value_pence:
        minutes = volunteering.totals["hours"]
        each = pounds(scheme.hour_value_pence)
        values.append(
            Value(
                "Economic value of the hours given",
                None if minutes is None else minutes * scheme.hour_value_pence // 60,
                f"The hours given, at {each} an hour.",
                scheme.hour_value_source,
            )
        )
    if scheme.wellbeing_value_pence:
        regular = None if hidden(totals.regular, scheme.privacy_k) else totals.regular
        regular = rounded(regular, to_five=scheme.round_to_five)
        year = pounds(scheme.wellbeing_value_pence)
        values.append(
            Value(
                "Wellbeing value to regular volunteers",
                None if regular is None else regular * scheme.wellbeing_value_pence * months // 12,
                f"{'Fewer than ' + str(scheme.privacy_k) if regular is None else regular} "
                f"people gave time in at least {REGULAR_MONTHS} of these {months} months: "
                f"{year} a year each, for {months} month{'s' if months != 1 else ''}.",
                scheme.wellbeing_value_source,
            )
        )
    return values


def _people(
    months: list[Month], totals: Totals, k: int, *, to_five: bool
) -> dict[str, tuple[list[Cell], Cell]]:
    """Every count of people, suppressed, and tied so that no hidden one can be worked
    out from its neighbours: new + returning = volunteers; attended and no-shows. Then
    rounded to 5 where the scheme asks."""
    raw: dict[str, tuple[list[int], int]] = {
        "volunteers": ([m.volunteers for m in months], totals.volunteers),
        "new": ([m.new for m in months], totals.new),
        "returning": ([m.returning for m in months], totals.volunteers - totals.new),
        "places": ([m.places for m in months], _sum(months, lambda m: m.places)),
        "attended": ([m.attended for m in months], _sum(months, lambda m: m.attended)),
        "no_shows": ([m.no_shows for m in months], _sum(months, lambda m: m.no_shows)),
    }
    done = {
        key: column_suppressed(values, total=total, k=k) for key, (values, total) in raw.items()
    }
    for pair in (("new", "returning"), ("attended", "no_shows")):
        _hide_together(done, pair)
    return {
        key: ([rounded(c, to_five=to_five) for c in cells], rounded(total, to_five=to_five))
        for key, (cells, total) in done.items()
    }


def _hide_together(done: dict[str, tuple[list[Cell], Cell]], pair: tuple[str, str]) -> None:
    (one, one_total), (other, other_total) = done[pair[0]], done[pair[1]]
    cells = [None if a is None or b is None else a for a, b in zip(one, other, strict=True)]
    others = [None if a is None or b is None else b for a, b in zip(one, other, strict=True)]
    hidden_total = one_total is None or other_total is None
    done[pair[0]] = (cells, None if hidden_total else one_total)
    done[pair[1]] = (others, None if hidden_total else other_total)


# A share of one figure in another, hidden wherever either count of people is.
RATES = {"fill_rate": ("places", "places_offered"), "no_show_rate": ("no_shows", "places")}


def _rates(
    key: str, months: list[Month], people: dict[str, tuple[list[Cell], Cell]]
) -> tuple[list[Cell], Cell]:
    part, whole = RATES[key]
    parts, part_total = people[part]
    wholes = [getattr(m, whole) for m in months]
    shown_wholes, whole_total = people.get(whole, (wholes, sum(wholes)))
    # Over the shown whole where it counts people, so that a rounded count stays rounded.
    cells = [
        None if w is None else _percent(p, w if whole in people else raw)
        for p, w, raw in zip(parts, shown_wholes, wholes, strict=True)
    ]
    if whole_total is None:
        return cells, None
    return cells, _percent(part_total, whole_total if whole in people else sum(wholes))


def _percent(part: Cell, whole: int) -> Cell:
    """Rounded to the nearest whole per cent, in integers; 0 of nothing is 0."""
    if part is None:
        return None
    return (part * 200 + whole) // (whole * 2) if whole else 0


def _sum(months: list[Month], value: Callable[[Month], int]) -> int:
    return sum(value(m) for m in months)


def _table(
    key: str,
    title: str,
    columns: list[Column],
    months: list[Month],
    totals: Totals,
    people: dict[str, tuple[list[Cell], Cell]],
) -> Table:
    volunteers, volunteers_total = people["volunteers"]
    cells: dict[str, list[Cell]] = {}
    sums: dict[str, Cell] = {}
    not_by_place = set()
    for column in columns:
        if column.key in people:
            cells[column.key], sums[column.key] = people[column.key]
            continue
        if column.key in RATES:
            cells[column.key], sums[column.key] = _rates(column.key, months, people)
            continue
        name = "minutes" if column.key == "hours" else column.key
        values = [getattr(m, name) for m in months]
        if None in values:
            not_by_place.add(column.key)
        values = [v or 0 for v in values]
        total = totals.sums.get(name) or 0
        if name in ("minutes", "coins_minted"):  # they belong to the volunteers' cells
            cells[column.key] = linked(values, volunteers)
            alone = sum(c is None for c in cells[column.key]) == 1  # the total would tell it
            sums[column.key] = None if volunteers_total is None or alone else total
        else:
            cells[column.key], sums[column.key] = values, total
    return Table(
        key=key,
        title=title,
        columns=columns,
        months=[m.month for m in months],
        cells=cells,
        totals=sums,
        not_by_place=frozenset(not_by_place),
    )
