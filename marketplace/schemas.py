from datetime import datetime

from ninja import Schema


class ShiftOut(Schema):
    id: int
    start: datetime
    end: datetime
    capacity: int
    places_left: int


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


class SignupOut(Schema):
    id: int
    shift: ShiftOut
    opportunity_id: int
    opportunity_title: str
    status: str


class Problem(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None
