"""Every response says what the browser may load and use (backend/security.py): a strict
Content-Security-Policy and a Permissions-Policy on every kind of page (public, signed-in,
organiser, shop, council, error pages), the API, static files and the service worker
alike. The camera is allowed on the till alone, geolocation on the board alone, and
Stripe is let in on the sponsor pay page only, from the settings."""

from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from coins.funding import sponsorship_start
from coins.models import Account, Currency, SchemeAdmin
from coins.services import account_for
from tests.coins.factories import make_scheme
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_retailer, staff_of

pytestmark = pytest.mark.django_db


def directives(response: Any) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def permissions(response: Any) -> dict[str, str]:
    features = [part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")]
    return {name: allowed for name, allowed in features}


OFF, SELF = "()", "(self)"


def assert_strict(
    response: Any, *, camera: str = OFF, geolocation: str = OFF
) -> dict[str, list[str]]:
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["connect-src"] == ["'self'", "ws://testserver"]
    assert csp["frame-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    allowed = permissions(response)
    assert allowed["camera"] == camera  # "(self)" on the till alone, which scans codes
    assert allowed["geolocation"] == geolocation  # "(self)" on the board alone: "near me"
    for feature in ("microphone", "payment", "usb", "display-capture"):
        assert allowed[feature] == "()", feature
    return csp


@pytest.mark.parametrize(
    ("path", "status", "kind", "geolocation"),
    [
        ("/", 200, "text/html", OFF),
        ("/opportunities/", 200, "text/html", SELF),  # the board asks where you are
        ("/opportunities/?postcode=ZZ99", 200, "text/html", SELF),  # an error on the board
        ("/accounts/login/", 200, "text/html", OFF),
        ("/wallet/", 302, "text/html", OFF),  # to the sign-in page
        ("/api/v1/openapi.json", 200, "application/json", OFF),
        ("/api/v1/me", 401, "application/json", OFF),
        ("/static/css/site.css", 200, "text/css", OFF),
        ("/static/js/live.js", 200, "text/javascript", OFF),
        ("/sw.js", 200, "javascript", OFF),
        ("/manifest.webmanifest", 200, "manifest+json", OFF),
        ("/offline/", 200, "text/html", OFF),
        ("/no-such-page/", 404, "text/html", OFF),
    ],
)
def test_every_kind_of_response_carries_both_policies(
    client: Client, path: str, status: int, kind: str, geolocation: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert kind in response["Content-Type"]
    assert_strict(response, geolocation=geolocation)


@pytest.fixture
def worker(client: Client) -> tuple[Client, int, int]:
    """Signed in as someone who organises a group and works a shop's till."""
    retailer = make_retailer()
    group = make_group()
    user = staff_of(retailer)
    group.organisers.create(user=user)
    other = make_retailer("Other Shop")
    client.force_login(user)
    return client, retailer.pk, other.pk


@pytest.mark.parametrize(
    ("path", "status", "kind", "camera"),
    [
        ("/wallet/", 200, "text/html", OFF),
        ("/accounts/details/", 200, "text/html", OFF),
        ("/notifications/", 200, "text/html", OFF),
        ("/organise/", 200, "text/html", OFF),
        ("/shop/{shop}/", 200, "text/html", OFF),
        ("/shop/{shop}/till/", 200, "text/html", SELF),  # the till scans QR codes
        ("/shop/{other}/till/", 403, "text/html", OFF),  # not their shop
        ("/api/v1/me", 200, "application/json", OFF),
        ("/api/v1/wallet", 200, "application/json", OFF),
    ],
)
def test_every_signed_in_page_carries_both_policies(
    worker: tuple[Client, int, int], path: str, status: int, kind: str, camera: str
) -> None:
    client, shop, other = worker
    response = client.get(path.format(shop=shop, other=other))
    assert response.status_code == status
    assert kind in response["Content-Type"]
    assert_strict(response, camera=camera)


def test_the_till_keeps_the_camera_when_it_refuses_a_code(
    worker: tuple[Client, int, int],
) -> None:
    client, shop, _ = worker
    response = client.post(f"/shop/{shop}/till/check/", {"code": "NOTACODE"})
    assert response.status_code == 200
    assert "Scan the QR code" in response.content.decode()  # the till again, to scan anew
    assert_strict(response, camera=SELF)


def test_the_live_socket_is_allowed_as_wss_on_https(client: Client) -> None:
    response = client.get("/", secure=True)
    assert directives(response)["connect-src"] == ["'self'", "wss://testserver"]


def test_a_request_for_a_host_we_do_not_serve_still_gets_a_policy(client: Client) -> None:
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert directives(response)["connect-src"] == ["'self'"]


@pytest.fixture
def on_the_pay_page(client: Client, stripe_keys: str) -> Any:
    scheme = make_scheme()
    fund = account_for(scheme=scheme, kind=Account.Kind.FUND, currency=Currency.GBP)
    sponsor: User = make_user("csp-sponsor@example.org")
    sponsorship, _ = sponsorship_start(
        scheme=scheme, sponsor=sponsor, account=fund, amount_pence=2000
    )
    client.force_login(sponsor)
    return client.get(f"/sponsor/{sponsorship.pk}/pay/"), client.get(f"/sponsor/{sponsorship.pk}/")


def test_the_pay_page_lets_in_stripe_from_the_settings_and_no_other_page_does(
    on_the_pay_page: Any, stripe_keys: str
) -> None:
    pay, receipt = on_the_pay_page
    assert pay.status_code == 200
    assert f'src="{stripe_keys}/js.stripe.com/v3/"' in pay.content.decode()
    assert permissions(pay)["camera"] == OFF
    assert permissions(pay)["payment"] == OFF  # the card element needs no Payment Request
    csp = directives(pay)
    assert csp["script-src"] == ["'self'", stripe_keys]
    assert csp["frame-src"] == [stripe_keys]
    assert csp["connect-src"] == ["'self'", "ws://testserver", stripe_keys]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert receipt.status_code == 200
    assert_strict(receipt)  # the receipt polls our own status.json only


def test_real_stripe_adds_its_documented_frame_hosts(
    client: Client, settings: Any, on_the_pay_page: Any
) -> None:
    from backend.security import content_security_policy

    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    request = on_the_pay_page[0].wsgi_request
    csp = dict(
        (name, sources)
        for name, *sources in (
            part.split() for part in content_security_policy(request, stripe=True).split(";")
        )
    )
    assert csp["script-src"] == ["'self'", "https://js.stripe.com"]
    assert csp["frame-src"] == [
        "https://js.stripe.com",
        "https://*.js.stripe.com",
        "https://hooks.stripe.com",
    ]
    assert csp["connect-src"][-1] == "https://api.stripe.com"


@pytest.fixture
def officer(client: Client) -> Client:
    """Signed in as a council officer who runs the scheme."""
    user = make_user("officer@example.org")
    SchemeAdmin.objects.create(scheme=make_scheme(), user=user)
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/council/ledger/",
        "/council/ledger/settlement/",
        "/council/groups/",
        "/council/campaigns/",
        "/council/impact/",
        "/council/erase/",
    ],
)
def test_every_council_page_carries_both_policies(officer: Client, path: str) -> None:
    response = officer.get(path)
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]
    assert_strict(response)
