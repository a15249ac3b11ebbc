"""Who may work a shop's till, and who may verify the shop."""

import rules

from accounts.models import User
from coins.rules import is_scheme_admin
from marketplace.rewards.models import Retailer


@rules.predicate
def is_retailer_staff(user: User, retailer: Retailer) -> bool:
    if not getattr(user, "is_authenticated", False) or retailer is None:
        return False
    return bool(retailer.staff.filter(user=user).exists())


@rules.predicate
def is_admin_of_retailers_scheme(user: object, retailer: Retailer) -> bool:
    return retailer is not None and bool(is_scheme_admin(user, retailer.scheme))


rules.add_perm("marketplace.work_till", is_retailer_staff)
rules.add_perm("marketplace.verify_retailer", is_admin_of_retailers_scheme)
