"""Where things are, without asking the network: a bundled postcode table and
great-circle distance in SQL."""

import csv
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models import F, FloatField, Func, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ACos, Cos, Greatest, Least, Radians, Sin

from accounts.forms import normalise_postcode

POSTCODES_CSV = Path(__file__).parent / "data" / "postcodes.csv"
EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = 69.0


@cache
def postcode_table() -> dict[str, tuple[float, float]]:
    with POSTCODES_CSV.open() as handle:
        return {
            row["postcode"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
        }


def postcode_point(postcode: str) -> tuple[float, float] | None:
    """The centre of a known postcode, or None for one we have no table row for."""
    try:
        return postcode_table().get(normalise_postcode(postcode))
    except ValidationError:
        return None


def distance_miles(latitude: float, longitude: float) -> Func | CombinedExpression:
    """SQL for the distance from a point to each row's latitude/longitude (spherical law
    of cosines; clamped so rounding can never take ACOS outside its domain)."""
    lat, lon = Radians(Value(latitude)), Radians(Value(longitude))
    row_lat, row_lon = Radians(F("latitude")), Radians(F("longitude"))
    cosine = Sin(lat) * Sin(row_lat) + Cos(lat) * Cos(row_lat) * Cos(row_lon - lon)
    clamped = Greatest(Least(cosine, Value(1.0)), Value(-1.0))
    return ACos(clamped, output_field=FloatField()) * Value(EARTH_RADIUS_MILES)
