"""The API's answers about the person asking: who they are and what they belong to."""

from ninja import Schema


class MembershipOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    postcode: str
    under_18: bool
    share_name: bool
    share_location: bool
    public_name: str  # what shops and other volunteers see; blank unless shared
    public_area: str
    roles: list[str]
    groups: list[MembershipOut]
    retailers: list[MembershipOut]
    schemes: list[MembershipOut]
