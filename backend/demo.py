"""The demo town: one scheme and one login per role, loaded idempotently."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import User
from coins.models import Scheme, SchemeAdmin
from marketplace.models import CommunityGroup, GroupOrganiser, Retailer, RetailerStaff, Status

DEMO_PASSWORD = "coins-for-good-2026"  # noqa: S105 - printed for the demo on purpose


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str = DEMO_PASSWORD


LOGINS = [
    DemoLogin("resident", "resident@demo.citizencoin.localhost"),
    DemoLogin("community group organiser", "organiser@demo.citizencoin.localhost"),
    DemoLogin("retailer staff", "shop@demo.citizencoin.localhost"),
    DemoLogin("scheme admin (council)", "council@demo.citizencoin.localhost"),
]


@transaction.atomic
def demo_town_load() -> list[DemoLogin]:
    scheme, _ = Scheme.objects.get_or_create(
        slug="brackenford", defaults={"name": "Brackenford Citizen Coin", "coin_name": "Bracken"}
    )
    _resident, organiser, shop, council = (_user(login) for login in LOGINS)
    group, _ = CommunityGroup.objects.get_or_create(
        scheme=scheme,
        slug="riverside-gardeners",
        defaults={"name": "Riverside Gardeners", "status": Status.VERIFIED},
    )
    GroupOrganiser.objects.get_or_create(group=group, user=organiser)
    retailer, _ = Retailer.objects.get_or_create(
        scheme=scheme,
        slug="corner-bakery",
        defaults={"name": "The Corner Bakery", "status": Status.VERIFIED},
    )
    RetailerStaff.objects.get_or_create(retailer=retailer, user=shop)
    SchemeAdmin.objects.get_or_create(scheme=scheme, user=council)
    return LOGINS


def _user(login: DemoLogin) -> User:
    first_name = login.role.split()[0].capitalize()
    user = User.objects.filter(email=login.email).first()
    if user is None:
        user = User.objects.create_user(login.email, login.password, display_name=first_name)
    EmailAddress.objects.get_or_create(
        user=user, email=login.email, defaults={"verified": True, "primary": True}
    )
    return user
