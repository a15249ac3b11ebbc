"""Rewards: shops, what they offer for coins, the single-use codes residents pay with,
and the keys of their till systems. Never imports marketplace.board."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from coins.models import Scheme
from coins.selectors import balance_of
from marketplace.organisations import Organisation, Status
from places.models import Placed, Ward


class Retailer(Placed, Organisation):
    """A local shop that takes coins."""

    description = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    ward = models.ForeignKey(
        Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="From the postcode.",
    )  # fmt: skip
    logo = models.ImageField(upload_to="retailers/%Y/%m/", blank=True)


class RetailerStaff(models.Model):
    retailer = models.ForeignKey(Retailer, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="retailer_memberships"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["retailer", "user"], name="marketplace_staff_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} works at {self.retailer}"


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

    def unavailable_reason(self, today: date | None = None) -> str:
        """Why nobody can buy this offer now, or "" when it is on sale."""
        today = today or timezone.localdate()
        if not self.active or self.retailer.status != Status.VERIFIED:
            return "This offer is not available at the moment."
        if self.starts_on and today < self.starts_on:
            return f"This offer starts on {self.starts_on:%-d %B}."
        if self.ends_on and today > self.ends_on:
            return "This offer has ended."
        if self.stock is not None and self.stock < 1:
            return "This offer has sold out."
        return ""

    def limit_reason_for(self, user: Any) -> str:
        """Why this person has had as many as the offer allows this week or month, or ""."""
        if not self.limit_per_person:
            return ""
        today = timezone.localdate()
        if self.limit_period == Offer.Period.WEEK:
            start = today - timedelta(days=today.weekday())
        else:
            start = today.replace(day=1)
        since = timezone.make_aware(datetime.combine(start, time.min))
        taken = Redemption.objects.filter(
            offer=self, user=user, status=Redemption.State.REDEEMED, redeemed_at__gte=since
        ).count()
        if taken < self.limit_per_person:
            return ""
        return (
            f"You have had this offer {taken} time{'s' if taken != 1 else ''} "
            f"{'this week' if self.limit_period == Offer.Period.WEEK else 'this month'}, "
            "which is the most allowed."
        )

    def refusal_for(self, user: Any) -> str:
        """Why this person cannot get a code for this offer now, or "" when they can: what
        the offer page says up front and making a code refuses with."""
        reason = self.unavailable_reason() or self.limit_reason_for(user)
        if reason:
            return reason
        balance = balance_of(user, self.scheme_id)
        if balance < self.price:
            plural = self.scheme.coin_plural
            return f"Not enough {plural}: this costs {self.price:,} and you have {balance:,}."
        return ""


class Redemption(models.Model):
    """A resident's single-use code to pay one shop, and, once confirmed, the sale.

    The QR carries `token` (signed, opaque); the shop may type `code` instead. Neither
    says who the resident is."""

    class State(models.TextChoices):
        ISSUED = "issued", "Ready to use"
        REDEEMED = "redeemed", "Paid"
        REFUNDED = "refunded", "Refunded"
        CANCELLED = "cancelled", "Cancelled"

    # A sale: paid at the till, and perhaps refunded since.
    SOLD = (State.REDEEMED, State.REFUNDED)

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

    def refusal_for(self, retailer: Retailer) -> str:
        """Why this shop's till cannot take this code now, or "" when it can."""
        if retailer.status != Status.VERIFIED:
            return "This shop is not taking coins at the moment."
        if self.scheme_id != retailer.scheme_id:
            return "That code is from another town's scheme."
        if self.retailer_id != retailer.pk:
            return "That code is for another shop."
        if self.status in Redemption.SOLD:
            return "This code has already been used."
        if self.status == Redemption.State.CANCELLED:
            return "The resident cancelled this code."
        if self.expires_at <= timezone.now():
            return "This code has expired. Ask the resident to make a new one."
        return ""


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
