"""The marketplace app's models, for Django: the board's and the rewards' own modules
hold them (one app label, `marketplace`, so their tables keep their names)."""

from marketplace.board.models import (
    CalendarFeed,
    CommunityGroup,
    DbsRecord,
    GroupOrganiser,
    Hours,
    Opportunity,
    SavedSearch,
    SavedSearchMatch,
    Shift,
    ShiftMessage,
    Signup,
)
from marketplace.rewards.models import Offer, Redemption, Retailer, RetailerApiKey, RetailerStaff

__all__ = [
    "CalendarFeed",
    "CommunityGroup",
    "DbsRecord",
    "GroupOrganiser",
    "Hours",
    "Offer",
    "Opportunity",
    "Redemption",
    "Retailer",
    "RetailerApiKey",
    "RetailerStaff",
    "SavedSearch",
    "SavedSearchMatch",
    "Shift",
    "ShiftMessage",
    "Signup",
]
