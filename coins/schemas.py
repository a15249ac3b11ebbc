"""The wallet API's bodies and answers: schemes, balances, statement lines and gifts."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

FORM_CHECKED = "x-checked-by-the-form"
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Null characters are not allowed.")  # as the pages' forms say
    return value


# Text that an endpoint stores or looks up as it was sent, with no form to check it first:
# PostgreSQL cannot hold a NUL character, so one is refused here (422) rather than there.
Text = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": r"^[^\x00]*$"})]


def form_checked(**field: Any) -> Any:
    """A field the endpoint needs but leaves to the page's form to check, so that a body
    leaving it out gets the page's own message, alongside every other mistake, rather than
    a bare "Field required". `needed_by_the_form` publishes it as required all the same."""
    return Field(None, json_schema_extra={FORM_CHECKED: True}, **field)


def needed_by_the_form(**extra: Any) -> Callable[[dict[str, Any]], None]:
    """A body's `json_schema_extra`: its `form_checked` fields published as required
    and not nullable (the form refuses a null too), plus any `extra` keywords."""

    def publish(schema: dict[str, Any]) -> None:
        for name, field in schema.get("properties", {}).items():
            if not field.pop(FORM_CHECKED, False):
                continue
            field.pop("default", None)
            if "anyOf" in field:  # `X | None`: keep X
                kinds = [k for k in field.pop("anyOf") if k != {"type": "null"}]
                field.update(kinds[0] if len(kinds) == 1 else {"anyOf": kinds})
            schema.setdefault("required", []).append(name)
        schema.update(extra)

    return publish


class SchemeOut(Schema):
    slug: str
    name: str
    coin_name: str = Field(description='One coin\'s name: "1 Bracken".')
    coin_name_plural: str = Field(description='More than one: "12 Brackens".')


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
    """Either a group's account or a resident's email, not both. The page's form checks
    the recipient and the amount, so that leaving one out gets the page's message."""

    model_config = ConfigDict(
        json_schema_extra=needed_by_the_form(
            oneOf=[{"required": ["to_account"]}, {"required": ["email"]}]
        )
    )

    to_account: int | None = Field(None, description="A group's account, from /recipients.")
    email: str | None = Field(None, description="Another resident's email address.")
    amount: int | None = form_checked(description="Whole coins, at least 1.")
    request_id: UUID = Field(description="New for each gift; sending it again gives once.")


class GiftOut(Schema):
    transfer_id: int
    amount: int
    balance: int = Field(description="My wallet's balance after the gift.")


# What every endpoint answers when it refuses (one `Problem` in the OpenAPI document).
class Problem(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None
