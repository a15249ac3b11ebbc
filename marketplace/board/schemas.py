"""The board's API bodies: opportunities, sign-ups, and the organisers' and council's
endpoints."""

from datetime import date, datetime, time
from typing import Literal

from ninja import Field, Schema


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
    minimum_age: int
    dbs_required: bool


class OpportunityPage(Schema):
    count: int
    page: int
    pages: int
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


# Organisers and council officers. The bodies leave fields optional on purpose: the
# same Django forms as the pages check them, so a missing field gets the page's message.


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
    ward: str
    created: datetime


class GroupIn(Schema):
    scheme: int | None = Field(None, description="Optional while there is only one town.")
    name: str = ""
    description: str = ""
    charity_number: str = ""
    contact_email: str = ""
    ward: str = ""


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
    shifts: list[OrganiserShiftOut]


class ShiftPlanIn(Schema):
    """The first shift, in the scheme's local time, repeated weekly."""

    day: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    capacity: int | None = None
    weeks: int = Field(1, description="1 means just this one shift.")


class OpportunityIn(Schema):
    """Fields left out keep their current value (or the page's default, when creating)."""

    title: str | None = None
    description: str | None = None
    causes: list[str] | None = None
    skills: list[str] | None = None
    address: str | None = None
    postcode: str | None = None
    step_free: bool | None = None
    seated: bool | None = None
    remote_friendly: bool | None = None
    minimum_age: int | None = None
    dbs_required: bool | None = None
    language: str | None = None
    publish: bool | None = Field(None, description="Publish now; otherwise a draft.")
    shifts: ShiftPlanIn | None = Field(
        None, description="A weekly run of shifts to add; the shifts already there stay."
    )


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
    start_time: time | None = None
    end_time: time | None = None
    capacity: int | None = None


class ShiftCancelIn(Schema):
    reason: str = Field("", description="Told to everyone with a place or waiting.")


class AttendanceIn(Schema):
    signup: int
    attended: bool


class HoursConfirmIn(Schema):
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
    reason: str = Field("", max_length=300, description="Needed to reject.")


class ShiftMessageIn(Schema):
    subject: str = ""
    body: str = ""


class ShiftMessageOut(Schema):
    id: int
    subject: str
    body: str
    created: datetime


class DbsRecordIn(Schema):
    email: str = ""
    outcome: str = ""
    checked_on: date | None = None


class DbsRecordOut(Schema):
    id: int
    email: str
    outcome: str
    checked_on: date
