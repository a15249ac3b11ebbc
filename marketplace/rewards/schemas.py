"""The rewards' API bodies: offers, codes, the till and its POS keys."""

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict, model_validator

from coins.schemas import Text


class OfferShopOut(Schema):
    id: int
    name: str
    address: str
    postcode: str
    ward: str = Field(description="The ward of the shop's postcode; empty when it is not known.")
    latitude: float | None
    longitude: float | None


class OfferOut(Schema):
    id: int
    title: str
    description: str
    category: str
    price: int
    shop: OfferShopOut
    stock: int | None = Field(description="Left to buy; None when there is no limit.")
    limit_per_person: int | None
    limit_period: str = Field(description="week or month, with limit_per_person.")
    starts_on: date | None
    ends_on: date | None
    unavailable: str = Field(description="Why it cannot be bought now; empty when it can.")


class ShopCodeIn(Schema):
    amount: int = Field(ge=1, le=100_000, description="The coins the shop asked for.")


class ReceiptOut(Schema):
    """A sale, as the till and the resident both see it."""

    id: int
    status: str = Field(description="redeemed (paid) or refunded")
    price: int
    offer: str | None = Field(description="The offer's title; None for an amount.")
    shop: str
    redeemed_at: datetime | None
    transfer_id: int | None
    refunded_at: datetime | None


class CodeOut(Schema):
    """A resident's single-use code to pay one shop."""

    id: int
    code: str = Field(description="What the till may type.")
    qr: str = Field(description="What the QR code carries: a signed token, not the person.")
    status: str = Field(description="issued (ready to use), redeemed, refunded or cancelled")
    expires_at: datetime
    price: int
    offer: str | None
    shop: str
    receipt: ReceiptOut | None = Field(None, description="Once the shop has taken the coins.")


class PosLookupIn(Schema):
    """Exactly one of them: the typed code, or what the QR code carried."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["code"]}, {"required": ["qr"]}]}
    )

    code: Text | None = Field(None, max_length=20, description="As the till typed it.")
    qr: Text | None = Field(None, max_length=200, description="As the till scanned it.")

    @model_validator(mode="after")
    def _one_of_them(self) -> "PosLookupIn":
        if bool(self.code) == bool(self.qr):
            raise ValueError("Send either the typed `code` or the scanned `qr`.")
        return self


class PendingOut(Schema):
    """A code the till may take, before it confirms."""

    id: int
    price: int
    offer: str | None
    resident: str = Field(description="The name the resident shares, or `A resident`.")
    expires_at: datetime


class PosRefusal(Schema):
    detail: str
    receipt: ReceiptOut | None = Field(None, description="The earlier sale, if already used.")


class RefundIn(Schema):
    reason: Text = Field("", max_length=300)


class SalesOut(Schema):
    date: date
    count: int
    total: int = Field(description="Coins from that day's sales; refunded sales left out.")
    sales: list[ReceiptOut]


class ApiKeyIn(Schema):
    name: Text = Field(min_length=1, max_length=60, description="Which till, such as `Front till`.")


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created: datetime
    created_by: str
    last_used: datetime | None
    revoked: bool
    revoked_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The key itself. Shown this once: it is stored only hashed.")
