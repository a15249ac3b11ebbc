import rules

from accounts.models import User
from coins.rules import is_scheme_admin
from marketplace.models import CommunityGroup, Retailer


@rules.predicate
def is_group_organiser(user: User, group: CommunityGroup) -> bool:
    if not getattr(user, "is_authenticated", False) or group is None:
        return False
    return bool(group.organisers.filter(user=user).exists())


@rules.predicate
def is_retailer_staff(user: User, retailer: Retailer) -> bool:
    if not getattr(user, "is_authenticated", False) or retailer is None:
        return False
    return bool(retailer.staff.filter(user=user).exists())


@rules.predicate
def is_admin_of_groups_scheme(user: object, group: CommunityGroup) -> bool:
    return group is not None and bool(is_scheme_admin(user, group.scheme))


@rules.predicate
def is_admin_of_retailers_scheme(user: object, retailer: Retailer) -> bool:
    return retailer is not None and bool(is_scheme_admin(user, retailer.scheme))


rules.add_perm("marketplace.manage_group", is_group_organiser)
rules.add_perm("marketplace.verify_group", is_admin_of_groups_scheme)
rules.add_perm("marketplace.work_till", is_retailer_staff)
rules.add_perm("marketplace.verify_retailer", is_admin_of_retailers_scheme)
