"""After an account is erased, nothing in the database says who the person was: every
text and JSON column of every table is searched for their e-mail address, name and
postcode, and none is found; the ledger still adds up (verify_ledger)."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Background, Erasure, GuardianConsent, User
from cohesion.models import PulseInvite
from coins.gifts import gift_send, gift_to_resident
from coins.models import Account, Residence, Scheme, SchemeAdmin, SchemeAdminInvite
from coins.services import account_for, wallet_for
from marketplace.board.models import DbsRecord, SavedSearch
from marketplace.board.services.hours import hours_confirm
from marketplace.board.services.invites import invite_create
from marketplace.board.services.signups import calendar_feed_renew, signup_create
from marketplace.rewards.services.redemptions import redemption_code_create
from notifications.models import Notification, NotificationPreference, PushSubscription
from tests.conftest import PASSWORD, make_user
from tests.marketplace.factories import make_offer, make_shift
from tests.marketplace.test_hours import organiser_of
from tests.marketplace.test_hours_coins import past_shift

pytestmark = pytest.mark.django_db

EMAIL = "zebedee.quillfeather.x7@example.org"
NAME = "Zebedee Quillfeather"
POSTCODE = "TF9 9ZQ"
# The young person's, erased too: an under-16 with a guardian's consent.
YOUNG_EMAIL = "wilhelmina.yarrowby.k3@example.org"
YOUNG_NAME = "Wilhelmina Yarrowby"
GUARDIAN_EMAIL = "guardian.of.young.q5@example.org"

TEXT_TYPES = ("character varying", "text", "character", "json", "jsonb", "citext")


def columns_holding(needle: str) -> list[str]:
    """Every table.column in the public schema whose text holds `needle` (any case)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type = ANY(%s) ORDER BY 1, 2",
            [list(TEXT_TYPES)],
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            quoted = connection.ops.quote_name(table), connection.ops.quote_name(column)
            # The names come from the catalogue, quoted; only the needle is a parameter.
            query = "SELECT 1 FROM {} WHERE {}::text ILIKE %s LIMIT 1".format(*quoted)  # noqa: S608
            cursor.execute(query, [f"%{needle}%"])
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    return found


def zebedee_with_every_kind_of_record() -> User:
    """Hours confirmed with coins minted, a gift to a group, to a resident and to an
    address nobody has joined with, an upcoming place, a code at a shop, notifications
    and their choices, a phone, a calendar feed, a saved search, an invite link, a DBS
    outcome, a pulse offer, About me, a town, an invitation to run it and a line in the
    admin site's history."""
    zeb = make_user(
        EMAIL, display_name=NAME, postcode=POSTCODE, share_name=True, birth_date=date(1980, 5, 1)
    )
    shift = past_shift(zeb, hours_ago=4, title="Towpath tidy")
    scheme = shift.opportunity.scheme
    hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))
    Residence.objects.create(user=zeb, scheme=scheme)
    Background.objects.create(user=zeb, ethnic_group="other", religion="none")
    group = shift.opportunity.group
    gift_send(
        scheme=scheme,
        sender=zeb,
        group=account_for(scheme=scheme, kind=Account.Kind.GROUP, owner=group),
        email="",
        amount=3,
        request_id="scan-1",
    )
    make_user("friend.of.zeb@example.org")
    gift_to_resident(
        scheme=scheme, sender=zeb, email="friend.of.zeb@example.org", amount=2, key="scan-2"
    )
    gift_to_resident(
        scheme=scheme, sender=zeb, email="not.joined@example.org", amount=1, key="scan-3"
    )
    upcoming = make_shift(title="Food bank sort", days_ahead=2)
    signup_create(shift=upcoming, user=zeb)
    invite_create(user=zeb, opportunity=upcoming.opportunity, shift=upcoming)
    redemption_code_create(user=zeb, offer=make_offer())
    calendar_feed_renew(user=zeb)
    SavedSearch.objects.create(user=zeb, query={"q": NAME}, summary=f"Near {POSTCODE}")
    PushSubscription.objects.create(
        user=zeb, endpoint="https://push.example/z", p256dh="k", auth="a"
    )
    NotificationPreference.objects.create(
        user=zeb, kind="coins_received", in_page=True, email=False, push=True
    )
    DbsRecord.objects.create(user=zeb, outcome="clear", checked_on=date(2026, 1, 5), group=group)
    PulseInvite.objects.create(user=zeb, scheme=scheme, token="scan-pulse", item="trust")
    # Once asked to run the town (since stepped down), and edited on the admin site.
    SchemeAdminInvite.objects.create(
        scheme=scheme, email=EMAIL, invited_by=zeb, accepted_at=timezone.now()
    )
    LogEntry.objects.create(
        user=organiser_of(shift),
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(zeb.pk),
        object_repr=str(zeb),
        action_flag=CHANGE,
        change_message=f"Changed postcode to {POSTCODE}",
    )
    return zeb


def young_person_with_consent() -> User:
    young = make_user(YOUNG_EMAIL, display_name=YOUNG_NAME, birth_date=date(2012, 2, 1))
    GuardianConsent.objects.create(
        person=young, guardian_email=GUARDIAN_EMAIL, token="scan-consent"
    )
    return young


def delete_own_account(user: User, email: str) -> None:
    """The person does it, from their account."""
    client = Client()
    client.force_login(user)
    page = client.post("/accounts/delete/", {"password": PASSWORD, "confirm": "DELETE"})
    assert page.status_code == 302, page.content.decode()


def erase_on_request(user: User, email: str) -> None:
    """A council officer of the person's town does it, at their request."""
    testford = Scheme.objects.get(slug="testford")
    officer = User.objects.filter(email="officer.scan@example.org").first()
    if officer is None:
        officer = make_user("officer.scan@example.org")
        SchemeAdmin.objects.create(scheme=testford, user=officer)
    wallet_for(scheme=testford, user=user)  # of the town
    client = Client()
    client.force_login(officer)
    fields = {"email": email, "reason": "Letter, case 77", "confirm": "DELETE"}
    page = client.post("/council/erase/", fields, follow=True).content.decode()
    assert "The account is deleted" in page, page


@pytest.mark.parametrize("erase", [delete_own_account, erase_on_request])
def test_nothing_of_the_person_is_left_anywhere_and_the_ledger_adds_up(
    django_capture_on_commit_callbacks: Any, erase: Callable[[User, str], None]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        zeb = zebedee_with_every_kind_of_record()
        young = young_person_with_consent()
    needles = [EMAIL, NAME, *NAME.split(), POSTCODE, YOUNG_EMAIL, YOUNG_NAME, GUARDIAN_EMAIL]
    # The scan finds them before, in the person's rows and in others' (a friend's
    # notification, the admin site's history): it would find them after.
    assert set(columns_holding(EMAIL)) >= {"accounts_user.email", "django_admin_log.object_repr"}
    assert "notifications_notification.title" in columns_holding(NAME)
    assert "marketplace_savedsearch.summary" in columns_holding(POSTCODE)
    assert columns_holding(GUARDIAN_EMAIL) == ["accounts_guardianconsent.guardian_email"]

    with django_capture_on_commit_callbacks(execute=True):
        erase(zeb, EMAIL)
        erase(young, YOUNG_EMAIL)

    assert {needle: columns_holding(needle) for needle in needles} == {n: [] for n in needles}
    assert Erasure.objects.filter(account__in=[zeb, young]).count() == 2
    # What the friend was told still says what happened, naming nobody.
    told = Notification.objects.get(user__email="friend.of.zeb@example.org")
    assert told.title == "A resident who has left gave you 2 Citizen Coins"
    call_command("verify_ledger")
