"""Acceptance 4: no page, API response or CSV open to an organiser or a shop holds a
volunteer's "about me" or pulse answers. Every organiser and shop page is walked (the
list comes from the URL resolver, so a page added later is walked too, or this fails),
with the organiser and shop API routes and the group's impact report and its CSVs."""

import html
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Background, User
from backend.api import api
from cohesion.models import Item, PulseInvite
from cohesion.questions import SCALES
from cohesion.services import pulse_answer, pulse_offer
from impact.rollup import rollup_refresh
from impact.views import GROUP_TABLES
from marketplace.board.models import CommunityGroup, Hours, Opportunity, Shift, Signup
from marketplace.board.services.hours import hours_confirm
from marketplace.rewards.models import Offer, Redemption, Retailer, RetailerApiKey
from marketplace.rewards.services.api_keys import retailer_api_key_create
from marketplace.rewards.services.redemptions import redemption_code_create
from tests.conftest import make_user
from tests.marketplace.factories import confirm_at_till, make_offer, make_retailer, staff_of
from tests.marketplace.test_hours import organiser_of, past_shift_with

pytestmark = pytest.mark.django_db

# What Sam said: none of it may reach the group or the shop they gave time and coins to.
SECRETS = [
    Background.EthnicGroup.MIXED.label,
    Background.Religion.BUDDHIST.label,
    SCALES[Item.GET_ON].answers[2],  # "Tend to disagree"
    SCALES[Item.BELONG].answers[2],  # "Not very strongly"
]
# The API routes an organiser or a shop has, by path.
API_PREFIXES = ("/organise/", "/shops/", "/pos/", "/impact/")


@dataclass
class Town:
    sam: User
    group: CommunityGroup
    organiser: User
    opportunity: Opportunity
    shift: Shift
    signup: Signup
    hours: Hours
    retailer: Retailer
    staff: User
    offer: Offer
    sale: Redemption
    till_key: RetailerApiKey
    till_raw: str
    spare_key: RetailerApiKey


@pytest.fixture
def town() -> Town:
    sam = make_user("sam@example.org", display_name="Sam", postcode="BK1 1AA")
    Background.objects.create(
        user=sam,
        ethnic_group=Background.EthnicGroup.MIXED,
        religion=Background.Religion.BUDDHIST,
    )
    shift = past_shift_with([sam])
    organiser = organiser_of(shift)
    hours_confirm(shift=shift, minutes={}, by=organiser)
    first = PulseInvite.objects.get(user=sam)
    pulse_answer(invite=first, met_new=True, met_different=True, score=3)
    PulseInvite.objects.filter(pk=first.pk).update(created=timezone.now() - timedelta(days=15))
    second = pulse_offer(user=sam, scheme=shift.opportunity.scheme)
    assert second is not None and second.item == Item.BELONG
    pulse_answer(invite=second, met_new=False, met_different=None, score=3)

    retailer = make_retailer(scheme=shift.opportunity.scheme)
    staff = staff_of(retailer)
    offer = make_offer(retailer, price=1)
    sale = confirm_at_till(redemption=redemption_code_create(user=sam, offer=offer), staff=staff)
    till_key, till_raw = retailer_api_key_create(retailer=retailer, by=staff, name="Till")
    spare_key, _ = retailer_api_key_create(retailer=retailer, by=staff, name="Spare")
    rollup_refresh(shift.opportunity.scheme)
    signup = shift.signups.get(user=sam)
    return Town(
        sam=sam,
        group=shift.opportunity.group,
        organiser=organiser,
        opportunity=shift.opportunity,
        shift=shift,
        signup=signup,
        hours=Hours.objects.get(signup=signup),
        retailer=retailer,
        staff=staff,
        offer=offer,
        sale=sale,
        till_key=till_key,
        till_raw=till_raw,
        spare_key=spare_key,
    )


def page_arguments(town: Town) -> dict[str, list[dict[str, Any]]]:
    """The ids each organiser and shop page takes, from the town's objects."""
    shift = [{"pk": town.shift.pk}]
    shop = [{"pk": town.retailer.pk}]
    sale = [{"pk": town.retailer.pk, "redemption_pk": town.sale.pk}]
    return {
        "organise:new": [{"group_pk": town.group.pk}],
        "organise:dbs": [{"group_pk": town.group.pk}],
        "organise:dbs_list": [{"group_pk": town.group.pk}],
        "organise:edit": [{"pk": town.opportunity.pk}],
        "organise:shift": shift,
        "organise:attendance": shift,
        "organise:hours": shift,
        "organise:message": shift,
        "organise:shift_change": shift,
        "organise:shift_cancel": shift,
        "organise:hours_decision": [{"pk": town.hours.pk}],
        "impact:group_report": [{"pk": town.group.pk}],
        "impact:group_csv": [{"pk": town.group.pk, "table": t} for t in GROUP_TABLES],
        "shop:dashboard": shop,
        "shop:sales_csv": shop,
        "shop:offer_new": shop,
        "shop:offer_edit": [{"pk": town.retailer.pk, "offer_pk": town.offer.pk}],
        "shop:till": shop,
        "shop:till_check": shop,
        "shop:till_confirm": sale,
        "shop:receipt": sale,
        "shop:refund": sale,
        "shop:api_keys": shop,
        "shop:api_key_revoke": [{"pk": town.retailer.pk, "key_pk": town.spare_key.pk}],
    }


def organiser_and_shop_pages(town: Town) -> list[str]:
    """Every URL of the organise and shop namespaces, and the group's report pages."""
    filled = page_arguments(town)
    urls: list[str] = []
    unfilled: list[str] = []

    def walk(patterns: list[Any], namespace: str, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    pattern.namespace or namespace,
                    prefix + str(pattern.pattern),
                )
                continue
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            if namespace not in ("organise", "shop") and not (
                namespace == "impact" and route.startswith("organise/")
            ):
                continue
            name = f"{namespace}:{pattern.name}"
            wanted = pattern.pattern.regex.groupindex
            if not wanted:
                urls.append("/" + route)
                continue
            if name not in filled or any(set(kw) != set(wanted) for kw in filled[name]):
                unfilled.append(f"{name} ({route})")
                continue
            for kwargs in filled[name]:
                urls.append("/" + _fill(route, kwargs))

    walk(get_resolver().url_patterns, "", "")
    assert not unfilled, f"pages this test does not know how to fill: {unfilled}"
    return urls


def _fill(route: str, kwargs: dict[str, Any]) -> str:
    for key, value in kwargs.items():
        for converter in ("int", "slug", "str"):
            route = route.replace(f"<{converter}:{key}>", str(value))
    assert "<" not in route, route
    return route


def api_routes(town: Town) -> list[tuple[str, str]]:
    """(method, /api/v1 path) for every organiser and shop API route."""
    ids = {
        "/organise/groups/{pk}": town.group.pk,
        "/organise/opportunities/{pk}": town.opportunity.pk,
        "/organise/shifts/{pk}": town.shift.pk,
        "/organise/hours/{pk}": town.hours.pk,
        "/shops/{pk}": town.retailer.pk,
        "/pos/redemptions/{pk}": town.sale.pk,
    }
    routes: list[tuple[str, str]] = []
    unfilled: list[str] = []
    for _, router in api._routers:
        for path, view in router.path_operations.items():
            if not path.startswith(API_PREFIXES):
                continue
            url = path.replace("{key_pk}", str(town.spare_key.pk))
            for start, pk in ids.items():
                if url.startswith(start):
                    url = str(pk).join(url.split("{pk}", 1))
            if "{" in url:
                unfilled.append(path)
                continue
            routes += [(method, "/api/v1" + url) for op in view.operations for method in op.methods]
    assert not unfilled, f"API routes this test does not know how to fill: {unfilled}"
    for prefix in API_PREFIXES:
        assert any(path.startswith(f"/api/v1{prefix}") for _, path in routes), prefix
    # Reads first, then the writes, whose refusals (or results) are answers too.
    return sorted(routes, key=lambda route: route[0] != "GET")


def assert_nothing_told(body: str, where: str) -> None:
    for secret in SECRETS:
        for form in {secret, html.escape(secret), json.dumps(secret)[1:-1]}:
            assert form.lower() not in body.lower(), f"{where} shows {secret!r}"


def test_no_organiser_or_shop_page_api_or_csv_shows_background_or_pulse_answers(
    client: Client, town: Town
) -> None:
    pages = organiser_and_shop_pages(town)
    routes = api_routes(town)
    assert "/organise/" in pages and f"/shop/{town.retailer.pk}/sales.csv" in pages
    requests = [(method, url) for method, url in routes if method == "GET"]
    requests += [("GET", url) for url in pages]
    # Then what changes things: a refused form re-shows the page, a refund its receipt.
    requests += [(method, url) for method, url in routes if method != "GET"]
    requests += [("POST", url) for url in pages]
    saw_sam: set[str] = set()
    for method, url in requests:
        for person in (town.organiser, town.staff):
            client.force_login(person)
            headers = {"Authorization": f"Bearer {town.till_raw}"} if "/pos/" in url else {}
            response = client.generic(
                method, url, data="{}", content_type="application/json", headers=headers
            )
            assert response.status_code < 500, f"{method} {url}: {response.status_code}"
            body = response.content.decode()
            assert_nothing_told(body, f"{person} {method} {url}")
            if "Sam" in body:
                saw_sam.add(person.email)
    # The walk reached pages about Sam, as the organiser and as the shop.
    assert saw_sam == {town.organiser.email, town.staff.email}


def test_the_walk_would_see_an_answer_that_leaked(client: Client, town: Town) -> None:
    """The check itself: Sam's own "about me" page shows what they chose, so the
    same test over it finds it."""
    client.force_login(town.sam)
    body = client.get("/accounts/about-me/").content.decode()
    with pytest.raises(AssertionError, match="about me shows"):
        assert_nothing_told(body, "about me")
