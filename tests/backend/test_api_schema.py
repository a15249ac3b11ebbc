"""Schemathesis over the whole JSON API, as each of the five kinds of caller: every
operation in /api/v1/openapi.json, with generated parameters and bodies, must answer
without a server error and exactly as the document says (status code, content type,
headers and body).

The requests go through the real WSGI application, middleware and CSRF check included,
into this test's PostgreSQL transaction. Each operation is tried once with generated ids
and once with the ids of the objects made here, so that the handlers' own answers are
reached and not only their 404s; each example runs in a savepoint rolled back afterwards,
so every example meets the same town, after checking the ledger if it moved coins."""

import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import CommandError, call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as examples
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from coins.models import SchemeAdmin, Transfer
from impact.rollup import rollup_refresh
from marketplace.board.models import Shift, Signup
from marketplace.board.services.hours import hours_claim
from marketplace.board.services.signups import signup_create
from marketplace.organisations import Status
from marketplace.rewards.services.api_keys import retailer_api_key_create
from marketplace.rewards.services.redemptions import redemption_code_create
from tests.coins.factories import give_coins, make_scheme
from tests.conftest import make_user
from tests.marketplace.factories import (
    confirm_at_till,
    make_group,
    make_offer,
    make_shift,
    staff_of,
)

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Schemathesis sends requests' default `Accept-Encoding: gzip, deflate` but its WSGI client,
# unlike an HTTP library, does not undo the site's gzip: so ask for the body as it is.
PLAIN = {"Accept-Encoding": "identity"}
EXAMPLES = 8  # per operation, caller and kind of case: the module takes about 2 minutes


@dataclass
class Town:
    """What the calls can find: ids by path, and the callers."""

    ids: dict[str, dict[str, int]]
    resident: User
    organiser: User
    staff: User
    till_key: str


@dataclass
class Caller:
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)


def town() -> Town:
    scheme = make_scheme()
    resident = make_user("resident@example.org", display_name="Sam", postcode="BK1 1AA")
    give_coins(scheme, resident, 200)
    group = make_group()
    organiser = group.organisers.get().user
    # Also the council, so that the council's and impact's endpoints get past their check.
    SchemeAdmin.objects.create(scheme=scheme, user=organiser)
    pending = make_group("Canal Crew", status=Status.PENDING)
    coming = make_shift(group=group, capacity=5)
    signup = signup_create(shift=coming, user=resident)
    ended = make_shift(group=group, title="Litter pick")
    start = timezone.now() - timedelta(hours=4)  # ended an hour ago: check-in still open
    Shift.objects.filter(pk=ended.pk).update(start=start, end=start + timedelta(hours=3))
    ended.refresh_from_db()
    for volunteer in [resident, make_user("jo@example.org")]:
        Signup.objects.create(shift=ended, user=volunteer, status=Signup.State.CONFIRMED)
    claimed = hours_claim(signup=ended.signups.get(user=resident), minutes=90, by=resident)
    offer = make_offer(price=12)
    shop = offer.retailer
    staff = staff_of(shop)
    key, raw = retailer_api_key_create(retailer=shop, by=staff, name="Front till")
    issued = redemption_code_create(user=resident, offer=offer)
    sold = confirm_at_till(
        redemption=redemption_code_create(user=resident, offer=offer), staff=staff
    )
    rollup_refresh(scheme)
    ids = {
        "/opportunities/{pk}": {"pk": coming.opportunity_id},
        "/shifts/{pk}/signups": {"pk": coming.pk},
        "/me/signups/{pk}/cancel": {"pk": signup.pk},
        "/organise/groups/{pk}/opportunities": {"pk": group.pk},
        "/organise/opportunities/{pk}": {"pk": coming.opportunity_id},
        "/organise/shifts/{pk}": {"pk": coming.pk},
        "/organise/shifts/{pk}/cancel": {"pk": coming.pk},
        "/organise/shifts/{pk}/attendance": {"pk": ended.pk},
        "/organise/shifts/{pk}/attendance/undo": {"pk": ended.pk},
        "/organise/shifts/{pk}/hours": {"pk": ended.pk},
        "/organise/shifts/{pk}/messages": {"pk": ended.pk},
        "/organise/hours/{pk}/decision": {"pk": claimed.pk},
        "/organise/groups/{pk}/dbs": {"pk": group.pk},
        "/council/groups/{pk}/decision": {"pk": pending.pk},
        "/rewards/offers/{pk}": {"pk": offer.pk},
        "/rewards/offers/{pk}/code": {"pk": offer.pk},
        "/rewards/shops/{pk}/code": {"pk": shop.pk},
        "/rewards/codes/{pk}": {"pk": issued.pk},
        "/shops/{pk}/api-keys": {"pk": shop.pk},
        "/shops/{pk}/api-keys/{key_pk}/revoke": {"pk": shop.pk, "key_pk": key.pk},
        "/pos/redemptions/{pk}/confirm": {"pk": issued.pk},
        "/pos/redemptions/{pk}/refund": {"pk": sold.pk},
    }
    return Town(ids=ids, resident=resident, organiser=organiser, staff=staff, till_key=raw)


def logged_in(user: User) -> Caller:
    """The session's cookie, and a CSRF token in its cookie and header, as the site's
    JavaScript sends them."""
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    cookies[settings.CSRF_COOKIE_NAME] = token
    return Caller(headers={"X-CSRFToken": token}, cookies=cookies)


CALLERS: dict[str, Callable[[Town], Caller]] = {
    "anonymous": lambda _town: Caller(),
    "resident": lambda town: logged_in(town.resident),
    "organiser": lambda town: logged_in(town.organiser),
    "shop staff": lambda town: logged_in(town.staff),
    "till key": lambda town: Caller(headers={"Authorization": f"Bearer {town.till_key}"}),
}


@pytest.fixture
def application() -> Iterator[WSGIHandler]:
    """The site's WSGI application, on this test's database connection: as Django's test
    client does, the connection is not closed at the end of each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("who", list(CALLERS))
def test_every_operation_answers_as_the_document_says(
    who: str, application: WSGIHandler, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, "django.request")  # the 4xx answers are expected
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    place = town()
    caller = CALLERS[who](place)
    found: dict[str, str] = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # an operation the document cannot describe
        operation = result.ok()
        ids = place.ids.get(operation.path.removeprefix("/api/v1"))
        assert ids or "{" not in operation.path, f"town() has no ids for {operation.path}"
        explore(operation, caller, GenerationMode.POSITIVE, None, found)
        if ids:
            explore(operation, caller, GenerationMode.POSITIVE, ids, found)
        if takes_input(operation):
            explore(operation, caller, GenerationMode.NEGATIVE, None, found)
    report = "\n\n".join(f"{name}\n{failure}" for name, failure in sorted(found.items()))
    assert found == {}, report


def takes_input(operation: Any) -> bool:
    """Whether there is anything to send wrong: an operation with no parameters or body
    has no negative cases."""
    return bool(
        operation.definition.raw.get("parameters") or operation.definition.raw.get("requestBody")
    )


def explore(
    operation: Any,
    caller: Caller,
    mode: GenerationMode,
    ids: dict[str, int] | None,
    found: dict[str, str],
) -> None:
    """Up to EXAMPLES cases of one operation; each failing check is kept, by operation
    and kind of case, rather than raised, so that one run reports all of them."""
    strategy = operation.as_strategy(
        mode, path_parameters=ids, headers=caller.headers or None, cookies=caller.cookies or None
    )
    kind = f"{mode.value}, {'the ids made here' if ids else 'any ids'}"

    @examples(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: every failure is reported
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=strategy)
    def example(case: Any) -> None:
        with transaction.atomic():
            moved = Transfer.objects.count()
            response = case.call(headers=PLAIN)
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as failures:
                found.setdefault(f"{operation.label} ({kind})", str(failures))
            # After a server error the transaction may be unusable; it was reported above.
            if response.status_code < 500 and Transfer.objects.count() != moved:
                try:
                    call_command("verify_ledger", stdout=io.StringIO())
                except CommandError as broken:
                    found.setdefault(f"{operation.label} ({kind}): the ledger", str(broken))
            transaction.set_rollback(True)

    example()


def test_a_null_character_where_no_form_checks_the_text_is_refused_not_a_server_error(
    client: Client,
) -> None:
    """PostgreSQL cannot hold a NUL character: the test above found it as a 500 in the
    impact filters, and these took one to the database too."""
    place = town()
    till = {"Authorization": f"Bearer {place.till_key}"}
    shop = place.ids["/shops/{pk}/api-keys"]["pk"]
    sold = place.ids["/pos/redemptions/{pk}/refund"]["pk"]
    hours = place.ids["/organise/hours/{pk}/decision"]["pk"]
    sent = [
        (place.staff, f"/shops/{shop}/api-keys", {"name": "Front\x00till"}, "name", {}),
        (None, "/pos/lookup", {"code": "AB\x00CD"}, "code", till),
        (None, f"/pos/redemptions/{sold}/refund", {"reason": "Burnt\x00"}, "reason", till),
        (place.organiser, f"/organise/hours/{hours}/decision", NUL_REJECTION, "reason", {}),
    ]
    for user, path, body, field_name, headers in sent:
        if user is not None:
            client.force_login(user)
        answer = client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=headers
        )
        assert answer.status_code == 422, path
        assert answer.json()["errors"] == {field_name: ["Null characters are not allowed."]}, path
    client.force_login(place.organiser)
    for name in ["scheme", "ward"]:
        answer = client.get("/api/v1/impact/months", {name: "E05\x00"})
        assert answer.status_code == 422 and set(answer.json()["errors"]) == {name}


NUL_REJECTION = {"decision": "reject", "reason": "Not\x00here"}
