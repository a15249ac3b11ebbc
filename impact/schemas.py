"""The impact API's filters and answer."""

from datetime import date, datetime

from ninja import Field, Schema

from coins.schemas import SLUG_PATTERN


class ImpactFilters(Schema):
    scheme: str | None = Field(
        None,
        pattern=SLUG_PATTERN,
        max_length=50,
        description="The scheme's slug; left out, my first.",
    )
    first: str | None = Field(None, description="YYYY-MM; left out, 11 months before `last`.")
    last: str | None = Field(None, description="YYYY-MM; left out, this month.")
    ward: str | None = Field(
        None, pattern=r"^[A-Z][0-9]{8}$", description="A ward's ONS code, like E05099901."
    )
    cause: str | None = Field(None, description="One of the board's causes, like food.")


class ImpactColumnOut(Schema):
    key: str
    label: str
    unit: str = Field(description="minutes, pence, percent, or empty for a count.")


class ImpactMonthOut(Schema):
    month: date = Field(description="The first day of the month.")
    cells: dict[str, int | None] = Field(
        description="By column key. null: fewer than privacy_k people, or a figure that "
        "would give such a count away (or, for a column in not_by_place, not counted)."
    )


class ImpactTableOut(Schema):
    key: str
    title: str
    columns: list[ImpactColumnOut]
    months: list[ImpactMonthOut]
    totals: dict[str, int | None] = Field(description="Over the range; each person once.")
    not_by_place: list[str] = Field(description="Columns a ward or cause filter cannot count.")


class ImpactOut(Schema):
    scheme: str
    first: date
    last: date
    ward: str | None
    cause: str
    privacy_k: int
    rounded_to_five: bool = Field(description="Counts of people are to the nearest 5.")
    counted_at: datetime = Field(
        description="When the figures were counted (every 10 minutes, by the scheme's "
        "rollup); 503 before the first count."
    )
    tables: list[ImpactTableOut]
