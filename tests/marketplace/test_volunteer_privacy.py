"""What a group's organisers see of the people on a shift."""

import re

import pytest
from django.test import Client

from marketplace.board.models import GroupOrganiser, Signup
from tests.conftest import make_user
from tests.marketplace.factories import make_shift

pytestmark = pytest.mark.django_db


def test_the_organiser_sees_a_volunteers_area_only_when_they_share_it(client: Client) -> None:
    shift = make_shift(capacity=2)
    sharing = make_user("sam@example.org", display_name="Sam", postcode="TF1 2AB")
    private = make_user(
        "alex@example.org", display_name="Alex", postcode="TF3 4CD", share_location=False
    )
    waiting = make_user("jo@example.org", display_name="Jo", postcode="TF2 9ZZ")
    for user in (sharing, private):
        Signup.objects.create(shift=shift, user=user, status=Signup.State.CONFIRMED)
    Signup.objects.create(shift=shift, user=waiting, status=Signup.State.WAITLISTED)

    client.force_login(GroupOrganiser.objects.get(group=shift.opportunity.group).user)
    page = client.get(f"/organise/shifts/{shift.pk}/").content.decode()
    # Each name cell starts with the name (what follows is the group's own record of them).
    assert re.search(r'<th scope="row">Sam · TF1\s*<', page)
    assert re.search(r'<th scope="row">Alex\s*<', page)  # the name, for safety and check-in
    assert "TF3" not in page
    assert re.search(r"<li>Jo · TF2\s*<", page)
