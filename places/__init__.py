"""Where things are: each scheme's wards and the postcode table (a point and a ward per
postcode), loaded from the ONS postcode lookup. Knows nothing of groups or shops."""
