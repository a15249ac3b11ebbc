from django.conf import settings
from django.db import models

from coins.models import Scheme


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for the council to verify"
    VERIFIED = "verified", "Verified"
    SUSPENDED = "suspended", "Suspended"


class CommunityGroup(models.Model):
    """A volunteer-run group that posts opportunities; verified by the scheme's admins."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=120)
    slug = models.SlugField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "slug"], name="marketplace_group_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


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


class Retailer(models.Model):
    """A local shop that takes coins; verified by the scheme's admins."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="retailers")
    name = models.CharField(max_length=120)
    slug = models.SlugField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "slug"], name="marketplace_retailer_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


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
