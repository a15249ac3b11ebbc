"""Wards and postcodes, as the ONS National Statistics Postcode Lookup (NSPL) has them."""

from django.db import models
from django.db.models import Q

from coins.models import Scheme


class Ward(models.Model):
    """An electoral ward, by its ONS code (E05…, W05…), and the scheme whose town it is in."""

    code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=100)
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, null=True, blank=True, related_name="wards"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Postcode(models.Model):
    """A postcode's centre and ward. No person's address is ever stored here."""

    postcode = models.CharField(max_length=8, primary_key=True, help_text='As "BK1 1AA".')
    latitude = models.FloatField()
    longitude = models.FloatField()
    ward = models.ForeignKey(
        Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="postcodes"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="places_postcode_point_on_earth",
            ),
        ]

    def __str__(self) -> str:
        return self.postcode


class Placed:
    """For a model with `latitude`, `longitude` and `ward` fields, set from its postcode."""

    latitude: float | None
    longitude: float | None
    ward: Ward | None

    def place_at(self, found: Postcode | None) -> None:
        """Where the postcode's row says, or nowhere for a postcode the table lacks."""
        self.latitude, self.longitude = (found.latitude, found.longitude) if found else (None, None)
        self.ward = found.ward if found else None
