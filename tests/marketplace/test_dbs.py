from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import DbsRecord, GroupOrganiser
from marketplace.board.services.signups import signup_create
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db


def test_an_organiser_records_a_clear_dbs_and_the_volunteer_can_then_sign_up(
    client: Client, resident: User
) -> None:
    shift = make_shift(dbs_required=True)
    group = shift.opportunity.group
    client.force_login(GroupOrganiser.objects.get(group=group).user)
    page = client.get(f"/organise/groups/{group.pk}/dbs/").content.decode()
    assert "Do not keep a copy or its number." in page
    client.post(
        f"/organise/groups/{group.pk}/dbs/",
        {
            "email": "Resident@Example.org",
            "outcome": "clear",
            "checked_on": timezone.localdate().isoformat(),
        },
    )
    record = DbsRecord.objects.get()
    assert record.user == resident and record.outcome == "clear"
    assert signup_create(shift=shift, user=resident).status == "confirmed"


def test_bad_dbs_entries_are_explained_and_store_nothing(client: Client) -> None:
    group = make_group()
    client.force_login(GroupOrganiser.objects.get(group=group).user)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for data, message in (
        (
            {"email": "nobody@example.org", "outcome": "clear", "checked_on": "2026-01-01"},
            "Nobody has joined Citizen Coin with that email yet.",
        ),
        (
            {"email": "x@example.org", "outcome": "maybe", "checked_on": "2026-01-01"},
            "Select a valid choice.",
        ),
        (
            {"email": "", "outcome": "", "checked_on": ""},
            "Enter the email the volunteer joined with.",
        ),
        (
            {"email": "nobody@example.org", "outcome": "clear", "checked_on": tomorrow},
            "cannot be in the future",
        ),
    ):
        page = client.post(f"/organise/groups/{group.pk}/dbs/", data).content.decode()
        assert "There is a problem" in page and message in page, message
    assert not DbsRecord.objects.exists()


def test_only_the_groups_organisers_record_dbs_checks(client: Client, resident: User) -> None:
    group = make_group()
    client.force_login(resident)
    response = client.post(
        f"/organise/groups/{group.pk}/dbs/",
        {"email": "resident@example.org", "outcome": "clear", "checked_on": "2026-01-01"},
    )
    assert response.status_code == 403
    assert not DbsRecord.objects.exists()
