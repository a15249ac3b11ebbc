"""Great-circle distance in SQL, for the board's and the shops' "near me" (a postcode's
point comes from places.selectors)."""

from django.db.models import F, FloatField, Func, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ACos, Cos, Greatest, Least, Radians, Sin

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = 69.0


def distance_miles(latitude: float, longitude: float) -> Func | CombinedExpression:
    """SQL for the distance from a point to each row's latitude/longitude (spherical law
    of cosines; clamped so rounding can never take ACOS outside its domain)."""
    lat, lon = Radians(Value(latitude)), Radians(Value(longitude))
    row_lat, row_lon = Radians(F("latitude")), Radians(F("longitude"))
    cosine = Sin(lat) * Sin(row_lat) + Cos(lat) * Cos(row_lat) * Cos(row_lon - lon)
    clamped = Greatest(Least(cosine, Value(1.0)), Value(-1.0))
    return ACos(clamped, output_field=FloatField()) * Value(EARTH_RADIUS_MILES)
