"""The board's API bodies: opportunities, sign-ups, and the organisers' and council's
endpoints."""

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import (
    ConfigDict,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from coins.schemas import Text, form_checked, needed_by_the_form
from marketplace.board.forms import DISTANCES
from marketplace.board.models import Cause, DbsRecord, Skill


# The search page's filters. Each is taken as the text sent and handed to the page's own
# form (BoardSearchForm), which checks it: so a bad filter gets the page's message, with
# every other, and the document publishes what the form accepts.
def _sent_as(**schema: Any) -> WithJsonSchema:
    return WithJsonSchema(schema)


Flag = Annotated[str | None, _sent_as(type="boolean")]
Day = Annotated[str | None, _sent_as(type="string", format="date")]


class OpportunityFilters(Schema):
    q: Annotated[str | None, _sent_as(type="string", maxLength=100)] = Field(
        None, description="Words to look for; a small misspelling is forgiven."
    )
    cause: Annotated[str | None, _sent_as(type="string", enum=Cause.values)] = None
    skill: Annotated[str | None, _sent_as(type="string", enum=Skill.values)] = None
    date_from: Day = Field(None, description="Shifts on or after this day.")
    date_to: Day = Field(None, description="Shifts on or before this day.")
    postcode: Annotated[str | None, _sent_as(type="string", maxLength=20)] = Field(
        None, description="Search near it; it wins over latitude and longitude."
    )
    miles: Annotated[
        str | None, _sent_as(type="string", enum=[v for v, _ in DISTANCES], default="5")
    ] = Field(None, description="How far from the postcode or the location.")
    latitude: Annotated[str | None, _sent_as(type="number", minimum=-90, maximum=90)] = Field(
        None, description="With longitude, search near there (the page's Use my location)."
    )
    longitude: Annotated[str | None, _sent_as(type="number", minimum=-180, maximum=180)] = None
    under_18: Flag = Field(None, description="Only those open to under-18s.")
    no_dbs: Flag = Field(None, description="Only those needing no DBS check.")
    step_free: Flag = Field(None, description="Only those with step-free access.")
    seated: Flag = Field(None, description="Only those that can be done seated.")
    remote_friendly: Flag = Field(None, description="Only those that can be done from home.")
    has_places: Flag = Field(None, description="Only shifts with a free place.")
    taster: Flag = Field(None, description="Only tasters: short, no commitment, no DBS check.")
    sort: Annotated[
        str | None, _sent_as(type="string", enum=["soonest", "nearest"], default="soonest")
    ] = Field(None, description="nearest needs a postcode or a location.")
    page: Annotated[str | None, _sent_as(type="integer", minimum=1, default=1)] = Field(
        None, description="20 a page; past the last page, the last."
    )
    town: Annotated[str | None, _sent_as(type="string", maxLength=50)] = Field(
        None,
        description="The slug of the town (scheme) to search. A logged-in resident always "
        "gets their own town's; without either, the only town, else every town.",
    )


class ShiftOut(Schema):
    id: int
    start: datetime
    end: datetime
    capacity: int
    places_left: int
    cancelled: bool = Field(False, description="Cancelled by the group: no sign-ups.")
    cancel_reason: str = ""


class OpportunitySummary(Schema):
    id: int
    title: str
    group: str
    next_start: datetime
    distance_miles: float | None
    causes: list[str]
    skills: list[str]
    step_free: bool
    seated: bool
    remote_friendly: bool
    minimum_age: int
    dbs_required: bool
    taster: bool = Field(description="Short, no commitment, no DBS check: a first go.")
    places_left: int = Field(
        description="On the next shift; 0: full, sign-ups join its waiting list."
    )
    shift_minutes: int = Field(description="How long the next shift is.")
    coins: int | None = Field(
        description="What the next shift earns at the scheme's rate; null where the "
        "scheme counts hours and gives no coins."
    )


class OpportunityPage(Schema):
    count: int = Field(
        description="How many match, counted up to 1,000 (or to the end of the page asked "
        "for, when that is further): with `more`, more than this many match."
    )
    more: bool = Field(
        description="Whether the count stopped before the last match: then there is at "
        "least one page after `pages`."
    )
    page: int
    pages: int = Field(description="The pages counted; with `more`, at least one follows.")
    results: list[OpportunitySummary]


class OpportunityOut(Schema):
    id: int
    title: str
    description: str
    group: str
    address: str
    postcode: str
    latitude: float | None
    longitude: float | None
    causes: list[str]
    skills: list[str]
    step_free: bool
    seated: bool
    remote_friendly: bool
    minimum_age: int
    dbs_required: bool
    taster: bool = Field(description="Short, no commitment, no DBS check: a first go.")
    language: str
    shifts: list[ShiftOut]


class MyHoursOut(Schema):
    """The time a volunteer gave on a shift, as they see it."""

    minutes: int
    status: str = Field(description="claimed, confirmed or rejected")
    hours_display: str = Field(description="As the pages show it, such as `1 h 30 min`.")
    reason: str = Field(description="Why the organiser did not confirm it.")


class SignupOut(Schema):
    id: int
    shift: ShiftOut
    opportunity_id: int
    opportunity_title: str
    status: str
    hours: MyHoursOut | None = Field(None, description="None until hours are claimed or given.")


# Organisers and council officers. The same Django forms as the pages check the bodies,
# so a blank field gets the page's message; a field the endpoint needs is required here.


class GroupOut(Schema):
    id: int
    name: str
    scheme_id: int
    scheme: str
    status: str
    reason: str = Field(description="Why the council rejected or suspended it.")
    description: str
    charity_number: str
    contact_email: str
    postcode: str
    ward: str = Field(description="The ward of the group's postcode; empty when it is not known.")
    created: datetime


class GroupIn(Schema):
    scheme: int | None = Field(None, description="Optional while there is only one town.")
    name: str
    description: str = Field(description="What the group does.")
    charity_number: str = ""
    contact_email: str = Field(description="An email address volunteers can write to.")
    postcode: str = Field(
        "",
        description="Optional: where the group meets or works. It must be one the postcode "
        "table knows; its ward counts the group's volunteering by ward.",
    )


class GroupDecisionIn(Schema):
    decision: Literal["verify", "reject"]
    reason: str = Field("", description="Needed to reject; the group's organisers see it.")


class OrganiserShiftOut(Schema):
    id: int
    start: datetime
    end: datetime
    capacity: int
    taken: int
    places_left: int
    cancelled: bool = False


class OrganiserOpportunityOut(Schema):
    id: int
    title: str
    group_id: int
    group: str
    status: str
    taster: bool
    campaign_id: int | None = Field(description="The council's campaign it is part of.")
    shifts: list[OrganiserShiftOut]


def _time_of_day(value: Any, handler: ValidatorFunctionWrapHandler) -> time:
    """An ISO time of day, with or without a UTC offset; anything else gets one message
    that says what to send, rather than the parser's account of where it stopped."""
    try:
        if isinstance(value, str | time):
            result: time = handler(value)
            return result
    except ValidationError:
        pass
    raise PydanticCustomError(
        "time_of_day",
        "Enter a time of day such as 10:00, or 10:00+01:00 with its UTC offset; "
        "the date goes in “day”.",
    )


# A shift's time: without an offset it is the scheme's local time (Europe/London); with
# one ("10:00+01:00", "09:00Z") it names that instant on the shift's day.
TimeOfDay = Annotated[time, WrapValidator(_time_of_day)]
TIME_HELP = "Local time (Europe/London), or a time with its UTC offset on that day."


class ShiftPlanIn(Schema):
    """The first shift, in the scheme's local time, repeated weekly. Checked with the
    opportunity by the page's forms, so that every mistake in both is told at once."""

    model_config = ConfigDict(json_schema_extra=needed_by_the_form())

    day: date | None = form_checked(description="Today or later.")
    start_time: TimeOfDay | None = form_checked(description=TIME_HELP)
    end_time: TimeOfDay | None = form_checked(description=f"After the start. {TIME_HELP}")
    capacity: int | None = form_checked(description="Places on each shift, 1 to 500.")
    weeks: int = Field(1, description="1 means just this one shift; at most 26.")


CAUSES = f"Any of: {', '.join(Cause.values)}."
SKILLS = f"Any of: {', '.join(Skill.values)}."


class OpportunityChangeIn(Schema):
    """Fields left out keep their current value."""

    title: str | None = None
    description: str | None = None
    causes: list[str] | None = Field(None, description=CAUSES)
    skills: list[str] | None = Field(None, description=SKILLS)
    address: str | None = None
    postcode: str | None = None
    step_free: bool | None = None
    seated: bool | None = None
    remote_friendly: bool | None = None
    minimum_age: int | None = None
    dbs_required: bool | None = None
    taster: bool | None = Field(
        None, description="Short, no commitment, no DBS check; refused with dbs_required."
    )
    campaign: int | None = Field(
        None,
        description="The id of one of the scheme's campaigns that has not ended; null takes "
        "it out of its campaign.",
    )
    language: str | None = None
    publish: bool | None = Field(None, description="Publish now; otherwise a draft.")
    shifts: ShiftPlanIn | None = Field(
        None, description="A weekly run of shifts to add; the shifts already there stay."
    )


class OpportunityIn(OpportunityChangeIn):
    """A new opportunity; the fields left out get the page's defaults (13 and over,
    English, no DBS check, a draft)."""

    title: str
    description: str = Field(description="What volunteers will do.")
    causes: list[str] = Field(description=f"At least one. {CAUSES}")


class HoursOut(Schema):
    id: int
    signup_id: int
    volunteer: str
    minutes: int
    status: str
    reason: str


class VolunteerOut(Schema):
    """A sign-up, as the group's organisers see it."""

    id: int
    volunteer: str
    status: str
    attended: bool | None
    hours: HoursOut | None


class ShiftSignupsOut(Schema):
    id: int
    opportunity_id: int
    opportunity_title: str
    group: str
    start: datetime
    end: datetime
    capacity: int
    ended: bool
    default_minutes: int
    confirmed: list[VolunteerOut]
    waiting: list[VolunteerOut]
    cancelled_at: datetime | None = None
    cancel_reason: str = ""


class ShiftChangeIn(Schema):
    """A shift's new time (in the scheme's local time) and places; fields left out
    keep their current value."""

    day: date | None = None
    start_time: TimeOfDay | None = Field(None, description=TIME_HELP)
    end_time: TimeOfDay | None = Field(None, description=TIME_HELP)
    capacity: int | None = None


class ShiftCancelIn(Schema):
    reason: str = Field(description="Told to everyone with a place or waiting.")


class AttendanceIn(Schema):
    signup: int
    attended: bool


class AttendanceUndoIn(Schema):
    signup: int


class HoursConfirmIn(Schema):
    """Optional, as is the whole body: sent nothing, everyone gets the shift's length."""

    minutes: dict[int, int] = Field(
        default_factory=dict,
        description="Minutes by sign-up id; anyone left out gets the shift's length.",
    )


class ConfirmedHoursOut(HoursOut):
    """Hours just confirmed, and the coins they minted."""

    coins: int = Field(description="Coins minted into the volunteer's wallet.")
    capped: int = Field(description="Coins held back by the scheme's daily or weekly limit.")
    note: str = Field(description="Why coins were held back or not given; empty otherwise.")


class HoursConfirmOut(Schema):
    confirmed: list[ConfirmedHoursOut]
    skipped: list[str]


class HoursDecisionIn(Schema):
    decision: Literal["approve", "reject"]
    reason: Text = Field("", max_length=300, description="Needed to reject.")


class ShiftMessageIn(Schema):
    subject: str = Field(description="Up to 120 characters.")
    body: str = Field(description="Up to 2,000 characters.")


class ShiftMessageOut(Schema):
    id: int
    subject: str
    body: str
    created: datetime


class DbsRecordIn(Schema):
    email: str = Field(description="The email the volunteer joined with.")
    outcome: str = Field(
        description=f"What the certificate said: {' or '.join(DbsRecord.Outcome)}."
    )
    checked_on: date = Field(description="The date on the certificate; not in the future.")


class DbsRecordOut(Schema):
    id: int
    email: str
    outcome: str
    checked_on: date
