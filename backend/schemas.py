from ninja import Schema


class MembershipOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    email: str
    display_name: str
    postcode: str
    roles: list[str]
    groups: list[MembershipOut]
    retailers: list[MembershipOut]
    schemes: list[MembershipOut]
