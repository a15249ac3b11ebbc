from django.conf import settings
from django.db import models

from coins.models import Scheme


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for the council to verify"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Not verified"
    SUSPENDED = "suspended", "Suspended"


class Organisation(models.Model):
    """What a community group and a shop share: a scheme, and verification by its admins."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="%(class)ss")
    name = models.CharField(max_length=120)
    slug = models.SlugField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the council rejected or suspended it."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "slug"], name="%(app_label)s_%(class)s_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommunityGroup(Organisation):
    """A volunteer-run group that posts opportunities."""

    description = models.TextField(blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(blank=True)
    ward = models.CharField(max_length=80, blank=True)


class GroupOrganiser(models.Model):
    group = models.ForeignKey(CommunityGroup, on_delete=models.CASCADE, related_name="organisers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organiser_memberships"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="marketplace_organiser_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} organises {self.group}"


class Retailer(Organisation):
    """A local shop that takes coins."""

    description = models.TextField(blank=True)
    contact_email = models.EmailField(blank=True)
    address = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    ward = models.CharField(max_length=80, blank=True)
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
