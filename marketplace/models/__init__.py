from marketplace.models.board import DbsRecord, Hours, Opportunity, Shift, Signup
from marketplace.models.organisations import (
    CommunityGroup,
    GroupOrganiser,
    Organisation,
    Retailer,
    RetailerStaff,
    Status,
)

__all__ = [
    "CommunityGroup",
    "DbsRecord",
    "GroupOrganiser",
    "Hours",
    "Opportunity",
    "Organisation",
    "Retailer",
    "RetailerStaff",
    "Shift",
    "Signup",
    "Status",
]
