from marketplace.models.board import DbsRecord, Opportunity, Shift, Signup
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
    "Opportunity",
    "Organisation",
    "Retailer",
    "RetailerStaff",
    "Shift",
    "Signup",
    "Status",
]
