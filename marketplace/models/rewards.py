"""Rewards: what shops offer for coins, and the single-use codes residents pay with."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from coins.models import Scheme
from marketplace.models.organisations import Retailer


class OfferCategory(models.TextChoices):
    FOOD = "food", "Food and drink"
    SHOPPING = "shopping", "Shopping"
    LEISURE = "leisure", "Leisure and culture"
    SERVICES = "services", "Services"
    TRAVEL = "travel", "Travel"
    OTHER = "other", "Other"


class Offer(models.Model):
    class Period(models.TextChoices):
        WEEK = "week", "a week"
        MONTH = "month", "a month"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="offers")
    retailer = models.ForeignKey(Retailer, on_delete=models.CASCADE, related_name="offers")
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    category = models.CharField(
        max_length=12, choices=OfferCategory.choices, default=OfferCategory.OTHER
    )
    price = models.PositiveIntegerField("price in coins")
    # None: no limit. Counted down under a row lock as codes are redeemed.
    stock = models.PositiveIntegerField(null=True, blank=True)
    limit_per_person = models.PositiveSmallIntegerField(null=True, blank=True)
    limit_period = models.CharField(max_length=6, choices=Period.choices, blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    photo = models.ImageField(upload_to="offers/%Y/%m/", blank=True)
    photo_sizes = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["scheme", "active", "category"], name="offer_catalogue_idx")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=1), name="offer_price_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="offer_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(limit_per_person__isnull=True) | ~Q(limit_period=""),
                name="offer_limit_has_period",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Redemption(models.Model):
    """A resident's single-use code to pay one shop, and, once confirmed, the sale.

    The QR carries `token` (signed, opaque); the shop may type `code` instead. Neither
    says who the resident is."""

    class State(models.TextChoices):
        ISSUED = "issued", "Ready to use"
        REDEEMED = "redeemed", "Paid"
        REFUNDED = "refunded", "Refunded"
        CANCELLED = "cancelled", "Cancelled"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="redemptions")
    retailer = models.ForeignKey(Retailer, on_delete=models.PROTECT, related_name="redemptions")
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="redemptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="redemptions"
    )
    price = models.PositiveIntegerField()
    code = models.CharField(max_length=8)
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=State.choices, default=State.ISSUED)
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    transfer = models.OneToOneField(
        "coins.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund = models.OneToOneField(
        "coins.Transfer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["retailer", "-redeemed_at"], name="redemption_takings_idx"),
            models.Index(fields=["user", "-created"], name="redemption_user_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=1), name="redemption_price_positive"),
            # A typed code is unique among the live codes of one shop.
            models.UniqueConstraint(
                fields=["retailer", "code"],
                condition=Q(status="issued"),
                name="redemption_live_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="issued") | Q(status="cancelled") | Q(transfer__isnull=False),
                name="redemption_paid_has_transfer",
            ),
        ]

    def __str__(self) -> str:
        return f"code {self.code} at {self.retailer_id}: {self.status}"


class RetailerApiKey(models.Model):
    """A till system's key for the POS API: shown once, stored hashed, revocable."""

    retailer = models.ForeignKey(Retailer, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=12)
    hashed = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
