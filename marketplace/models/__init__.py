from marketplace.models.board import (
    CalendarFeed,
    DbsRecord,
    Hours,
    Opportunity,
    Shift,
    ShiftMessage,
    Signup,
)
from marketplace.models.organisations import (
    CommunityGroup,
    GroupOrganiser,
    Organisation,
    Retailer,
    RetailerStaff,
    Status,
)
from marketplace.models.rewards import Offer, OfferCategory, Redemption, RetailerApiKey
from marketplace.models.searches import SavedSearch, SavedSearchMatch

__all__ = [
    "CalendarFeed",
    "CommunityGroup",
    "DbsRecord",
    "GroupOrganiser",
    "Hours",
    "Offer",
    "OfferCategory",
    "Opportunity",
    "Organisation",
    "Redemption",
    "Retailer",
    "RetailerApiKey",
    "RetailerStaff",
    "SavedSearch",
    "SavedSearchMatch",
    "Shift",
    "ShiftMessage",
    "Signup",
    "Status",
]
