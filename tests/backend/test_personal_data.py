"""A resident downloads everything we hold about them as one zip (my-data.json with it
all, and a CSV for each kind of record), and nothing of anyone else."""

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Background, GuardianConsent, User
from cohesion.models import PulseInvite
from coins.gifts import gift_to_resident
from coins.models import Residence
from marketplace.board.models import Signup
from marketplace.board.services.hours import hours_confirm
from notifications.models import PushSubscription
from tests.conftest import make_user
from tests.marketplace.factories import make_shift
from tests.marketplace.test_hours import organiser_of
from tests.marketplace.test_hours_coins import past_shift

pytestmark = pytest.mark.django_db


def sam_with_history() -> tuple[User, User]:
    """Sam gave 3 hours on a litter pick beside Priya, answered About me, and sent a gift
    to an address nobody has joined with; Priya is the other volunteer."""
    sam = make_user("sam@example.org", display_name="Sam", postcode="TF1 1AA")
    priya = make_user("priya.other@example.org", display_name="Priyanka")
    shift = past_shift(sam, hours_ago=4)
    Signup.objects.create(shift=shift, user=priya, status=Signup.State.CONFIRMED)
    hours_confirm(shift=shift, minutes={}, by=organiser_of(shift))
    Background.objects.create(user=sam, ethnic_group="mixed", religion="none")
    Residence.objects.create(user=sam, scheme=shift.opportunity.scheme)
    gift_to_resident(
        scheme=shift.opportunity.scheme,
        sender=sam,
        email="not.joined.friend@example.org",
        amount=5,
        key="give:test:1",
    )
    return sam, priya


def download(client: Client, user: User) -> tuple[dict[str, Any], str, str]:
    """The JSON inside the zip, all of the zip's text, and how the file is named."""
    client.force_login(user)
    response = client.get("/accounts/my-data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        texts = {name: archive.read(name).decode() for name in archive.namelist()}
    return (
        json.loads(texts["my-data.json"]),
        "\n".join(texts.values()),
        response["Content-Disposition"],
    )


def csv_files(client: Client, user: User) -> dict[str, list[dict[str, str]]]:
    client.force_login(user)
    with zipfile.ZipFile(io.BytesIO(client.get("/accounts/my-data/").content)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode()))
            )
            for name in archive.namelist()
            if name.endswith(".csv")
        }


def test_the_download_is_one_zip_named_for_today(client: Client) -> None:
    sam, _ = sam_with_history()
    _, _, disposition = download(client, sam)
    today = timezone.localdate()
    assert disposition == f'attachment; filename="citizen-coin-my-data-{today:%Y-%m-%d}.zip"'


def test_the_download_has_the_persons_signups_hours_statement_and_background(
    client: Client,
) -> None:
    sam, _ = sam_with_history()
    data, _, _ = download(client, sam)

    assert data["you"]["account"]["email"] == "sam@example.org"
    assert data["you"]["account"]["postcode"] == "TF1 1AA"
    assert data["you"]["about_me"]["ethnic_group"] == "Mixed or Multiple ethnic groups"
    [signup] = data["volunteering"]["signups"]
    assert signup["opportunity"] == "Litter pick"
    assert signup["group"] == "Park Friends"
    [hours] = data["volunteering"]["hours"]
    assert (hours["opportunity"], hours["minutes"], hours["status"]) == (
        "Litter pick",
        180,
        "Confirmed",
    )
    [wallet] = [a for a in data["coins"]["ledger_accounts"] if a["kind"] == "Resident wallet"]
    lines = [
        (line["description"][:29], line["amount"])
        for line in data["coins"]["statement"]
        if line["account"] == "Resident wallet"
    ]
    assert lines == [("3 h volunteering: Litter pick", 30), ("Gift to another resident", -5)]
    assert wallet["balance"] == 25
    assert data["coins"]["town"] == "Testford"
    [gift] = data["coins"]["gifts_waiting_to_be_claimed"]
    assert (gift["amount"], gift["to"]) == (5, "another resident")
    assert "without any link to you" in data["pulse"]["pulse_answers"]
    assert data["notifications"]["notifications"][0]["kind"] == "hours_confirmed"


def test_the_download_has_nothing_of_another_person(client: Client) -> None:
    sam, priya = sam_with_history()
    organiser = organiser_of(Signup.objects.filter(user=sam).get().shift)
    GuardianConsent.objects.create(
        person=priya, guardian_email="priyas.mum@example.org", token="t1"
    )
    _, body, _ = download(client, sam)

    for someone_elses in (
        "Priyanka",
        "priya.other@example.org",
        "priyas.mum@example.org",
        organiser.email,
        "not.joined.friend@example.org",  # who Sam's gift was for
    ):
        assert someone_elses.lower() not in body.lower()


def test_each_person_downloads_only_their_own_data(client: Client) -> None:
    _, priya = sam_with_history()
    data, body, _ = download(client, priya)
    assert data["you"]["account"]["email"] == "priya.other@example.org"
    assert data["you"]["about_me"] is None
    assert "sam@example.org" not in body and "TF1 1AA" not in body


def test_someone_not_logged_in_is_sent_to_log_in(client: Client) -> None:
    response = client.get("/accounts/my-data/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_your_details_links_to_the_download_and_the_deletion(client: Client) -> None:
    client.force_login(make_user("sam@example.org"))
    page = client.get("/accounts/details/").content.decode()
    assert 'href="/accounts/my-data/">Download your data</a>' in page
    assert 'href="/accounts/delete/">Delete your account</a>' in page


def test_an_upcoming_place_and_a_saved_search_are_in_the_download(client: Client) -> None:
    sam = make_user("sam@example.org")
    shift = make_shift(title="Food bank sort", days_ahead=2)
    Signup.objects.create(shift=shift, user=sam, status=Signup.State.WAITLISTED)
    sam.saved_searches.create(query={"cause": "food"}, summary="Food near you")
    data, _, _ = download(client, sam)
    [signup] = data["volunteering"]["signups"]
    assert (signup["opportunity"], signup["status"]) == ("Food bank sort", "On the waiting list")
    assert signup["shift_start"] == shift.start.isoformat().replace("+00:00", "Z")
    assert data["volunteering"]["saved_searches"][0]["summary"] == "Food near you"
    assert data["volunteering"]["calendar_feed"] is False


def test_each_kind_of_record_is_a_csv_a_spreadsheet_can_open(client: Client) -> None:
    sam, _ = sam_with_history()
    sam.saved_searches.create(query={"cause": "food"}, summary="Food near you")
    PushSubscription.objects.create(
        user=sam, endpoint="https://push.example/1", p256dh="k", auth="a"
    )
    GuardianConsent.objects.create(person=sam, guardian_email="sams.dad@example.org", token="t")
    PulseInvite.objects.create(
        user=sam, scheme=Residence.objects.get(user=sam).scheme, token="p", item="belong"
    )

    files = csv_files(client, sam)

    for kind in (
        "profile",
        "email_addresses",
        "about_me",
        "guardian_consents",
        "signups",
        "hours",
        "invites_you_shared",
        "saved_searches",
        "dbs_checks",
        "redemptions",
        "ledger_accounts",
        "statement",
        "gifts_waiting_to_be_claimed",
        "bonuses_and_badges",
        "sponsorships",
        "pulse_questions_offered",
        "notifications",
        "notification_choices",
        "push_subscriptions",
        "volunteering_summary",
        "coins_summary",
        "pulse_summary",
    ):
        assert kind in files, kind
    [profile] = files["profile"]
    assert (profile["email"], profile["postcode"]) == ("sam@example.org", "TF1 1AA")
    assert [(h["opportunity"], h["minutes"]) for h in files["hours"]] == [("Litter pick", "180")]
    statement = [(line["description"][:29], line["amount"]) for line in files["statement"]]
    assert ("3 h volunteering: Litter pick", "30") in statement
    assert files["saved_searches"][0]["filters"] == '{"cause": "food"}'
    assert files["guardian_consents"][0]["guardian_email_you_gave"] == "sams.dad@example.org"
    assert files["push_subscriptions"][0]["endpoint"] == "https://push.example/1"
    offered = {row["question"] for row in files["pulse_questions_offered"]}
    assert "Belonging to the neighbourhood" in offered  # beside any the confirmed hours offered
    summary = {row["what"]: row["value"] for row in files["volunteering_summary"]}
    assert summary["calendar feed"] == "no"
    assert {row["what"]: row["value"] for row in files["coins_summary"]}["town"] == "Testford"


def test_a_kind_with_no_records_is_a_csv_that_says_so(client: Client) -> None:
    client.force_login(make_user("new@example.org"))
    with zipfile.ZipFile(io.BytesIO(client.get("/accounts/my-data/").content)) as archive:
        assert archive.read("redemptions.csv").decode().strip() == (
            "We hold no records of this kind about you."
        )


def test_text_a_spreadsheet_would_run_as_a_formula_is_made_plain(client: Client) -> None:
    sam = make_user("sam@example.org", display_name="=HYPERLINK(1)")
    sam.saved_searches.create(query={}, summary="@SUM(A1)")
    files = csv_files(client, sam)
    assert files["profile"][0]["display_name"] == "'=HYPERLINK(1)"
    assert files["saved_searches"][0]["summary"] == "'@SUM(A1)"
