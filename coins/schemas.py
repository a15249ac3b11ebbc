from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema


class SchemeOut(Schema):
    slug: str
    name: str
    coin_name: str


class WalletOut(Schema):
    scheme: SchemeOut
    balance: int


class StatementLineOut(Schema):
    when: datetime
    description: str = Field(description="In plain words, as the wallet page shows it.")
    amount: int = Field(description="Coins in (positive) or out (negative).")
    balance_after: int
    transfer_id: int
    kind: str = Field(description="mint, spend, donation, reversal or expiry")


class StatementOut(Schema):
    scheme: SchemeOut | None = Field(description="None when I have no wallet yet.")
    balance: int
    month: date | None = Field(description="The first of the month shown; None for all.")
    count: int
    page: int
    pages: int
    results: list[StatementLineOut] = Field(description="Newest first.")


class RecipientOut(Schema):
    account: int = Field(description="The `to_account` to give to.")
    name: str


class GiftIn(Schema):
    """Either a group's account or a resident's email. Fields are optional on purpose: the
    page's form checks them, so a missing field gets the page's message."""

    to_account: int | None = Field(None, description="A group's account, from /recipients.")
    email: str | None = Field(None, description="Another resident's email address.")
    amount: int | None = None
    request_id: UUID | None = Field(
        None, description="New for each gift; sending it again gives once."
    )


class GiftOut(Schema):
    transfer_id: int
    amount: int
    balance: int = Field(description="My wallet's balance after the gift.")


# What every endpoint answers when it refuses (one `Problem` in the OpenAPI document).
class Problem(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None
