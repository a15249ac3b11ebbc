"""Who may run a community group, and who may verify it."""

import rules

from accounts.models import User
from coins.rules import is_scheme_admin
from marketplace.board.models import CommunityGroup


@rules.predicate
def is_group_organiser(user: User, group: CommunityGroup) -> bool:
    if not getattr(user, "is_authenticated", False) or group is None:
        return False
    return bool(group.organisers.filter(user=user).exists())


@rules.predicate
def is_admin_of_groups_scheme(user: object, group: CommunityGroup) -> bool:
    return group is not None and bool(is_scheme_admin(user, group.scheme))


rules.add_perm("marketplace.manage_group", is_group_organiser)
rules.add_perm("marketplace.verify_group", is_admin_of_groups_scheme)
