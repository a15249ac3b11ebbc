"""What a person may do here, gathered from the memberships each app keeps."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from coins.models import Scheme
from coins.platform import is_platform_operator
from marketplace.board.models import CommunityGroup
from marketplace.rewards.models import Retailer


@dataclass(frozen=True)
class Roles:
    groups: list[CommunityGroup] = field(default_factory=list)
    retailers: list[Retailer] = field(default_factory=list)
    schemes: list[Scheme] = field(default_factory=list)
    platform: bool = False  # runs the deployment: adds towns (backend.platform_views)

    @property
    def names(self) -> list[str]:
        found = ["resident"]
        if self.groups:
            found.append("organiser")
        if self.retailers:
            found.append("retailer_staff")
        if self.schemes:
            found.append("scheme_admin")
        if self.platform:
            found.append("platform_operator")
        return found


def roles_for(user: User | AnonymousUser) -> Roles:
    if not user.is_authenticated:
        return Roles()
    return Roles(
        groups=list(CommunityGroup.objects.filter(organisers__user=user).order_by("name")),
        retailers=list(Retailer.objects.filter(staff__user=user).order_by("name")),
        schemes=list(Scheme.objects.filter(admin_memberships__user=user).order_by("name")),
        platform=is_platform_operator(user),
    )
