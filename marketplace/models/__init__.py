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

__all__ = [
    "CalendarFeed",
    "CommunityGroup",
    "DbsRecord",
    "GroupOrganiser",
    "Hours",
    "Opportunity",
    "Organisation",
    "Retailer",
    "RetailerStaff",
    "Shift",
    "ShiftMessage",
    "Signup",
    "Status",
]
