"""Reads of the postcode table: a postcode's point and ward."""

from django.core.exceptions import ValidationError

from accounts.forms import normalise_postcode
from coins.models import Scheme
from places.models import Postcode, Ward


def postcode_found(postcode: str) -> Postcode | None:
    """The table's row for a postcode however it was typed, or None for one it lacks."""
    try:
        wanted = normalise_postcode(postcode)
    except ValidationError:
        return None
    return Postcode.objects.select_related("ward").filter(pk=wanted).first()


def postcode_point(postcode: str) -> tuple[float, float] | None:
    """The centre of a known postcode, or None for one we have no table row for."""
    found = postcode_found(postcode)
    return (found.latitude, found.longitude) if found else None


def ward_of(postcode: str) -> Ward | None:
    found = postcode_found(postcode)
    return found.ward if found else None


def postcode_points(scheme: Scheme | None = None) -> dict[str, tuple[float, float]]:
    """Every postcode's centre, or those of one scheme's wards (for the demo towns and
    the benchmarks, which are small)."""
    found = Postcode.objects.order_by("postcode").only("latitude", "longitude")
    if scheme is not None:
        found = found.filter(ward__scheme=scheme)
    return {row.postcode: (row.latitude, row.longitude) for row in found}
