"""Who administers a scheme."""

import rules

from coins.models import Scheme


@rules.predicate
def is_scheme_admin(user: object, scheme: Scheme | None) -> bool:
    """Admin of this scheme, or of any scheme when asked without one."""
    if not getattr(user, "is_authenticated", False):
        return False
    memberships = user.scheme_admin_memberships  # type: ignore[attr-defined]
    if scheme is None:
        return bool(memberships.exists())
    return bool(memberships.filter(scheme=scheme).exists())


rules.add_perm("coins.administer_scheme", is_scheme_admin)
