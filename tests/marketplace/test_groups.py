import pytest
from django.http import HttpResponse
from django.test import Client

from accounts.models import User
from coins.models import Scheme, SchemeAdmin
from marketplace.board.models import CommunityGroup, GroupOrganiser
from marketplace.organisations import Status
from notifications.models import Notification
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def council() -> User:
    scheme = Scheme.objects.create(name="Testford", slug="testford")
    admin = make_user("council@example.org")
    SchemeAdmin.objects.create(scheme=scheme, user=admin)
    return admin


def register(client: Client, **fields: str) -> HttpResponse:
    data = {
        "scheme": str(Scheme.objects.get().pk),
        "name": "Allotment Angels",
        "description": "We grow food for the food bank.",
        "contact_email": "angels@example.org",
        "charity_number": "",
        "postcode": "BK1 1AA",
    }
    data.update(fields)
    return client.post("/organise/register/", data, follow=True)  # type: ignore[return-value]


def test_a_registered_group_waits_for_the_council_who_verifies_it(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    register(client)
    group = CommunityGroup.objects.get()
    assert group.status == Status.PENDING
    assert GroupOrganiser.objects.filter(group=group, user=resident).exists()
    assert Notification.objects.filter(user=council, kind="group_pending").exists()

    client.force_login(council)
    assert "Allotment Angels" in client.get("/council/groups/").content.decode()
    client.post(f"/council/groups/{group.pk}/decision/", {"decision": "verify"})
    group.refresh_from_db()
    assert group.status == Status.VERIFIED
    assert group.decided_by == council
    assert Notification.objects.filter(user=resident, kind="group_verified").exists()


def test_rejecting_needs_a_reason_which_the_organiser_then_sees(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    register(client)
    group = CommunityGroup.objects.get()
    client.force_login(council)
    page = client.post(
        f"/council/groups/{group.pk}/decision/", {"decision": "reject", "reason": " "}, follow=True
    ).content.decode()
    assert "Give a reason" in page
    group.refresh_from_db()
    assert group.status == Status.PENDING

    client.post(
        f"/council/groups/{group.pk}/decision/",
        {"decision": "reject", "reason": "Please add a contact we can reach."},
    )
    client.force_login(resident)
    dashboard = client.get("/organise/").content.decode()
    assert "Not verified. Please add a contact we can reach." in dashboard


def test_only_the_schemes_admins_see_the_queue_or_decide(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    register(client)
    group = CommunityGroup.objects.get()
    assert client.get("/council/groups/").status_code == 403
    assert (
        client.post(f"/council/groups/{group.pk}/decision/", {"decision": "verify"}).status_code
        == 403
    )
    group.refresh_from_db()
    assert group.status == Status.PENDING


def test_a_half_filled_registration_explains_itself_and_saves_nothing(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    page = register(client, name="", contact_email="not-an-email").content.decode()
    assert "There is a problem" in page
    assert "Enter your group&#x27;s name." in page
    assert "Enter a valid email address." in page
    assert not CommunityGroup.objects.exists()


def test_a_group_registered_with_a_postcode_is_in_its_ward_as_the_council_sees(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    register(client, postcode=" bk1 1aa ")
    group = CommunityGroup.objects.get()
    assert (group.postcode, group.ward.name) == ("BK1 1AA", "Millbrook")  # type: ignore[union-attr]
    assert (group.latitude, group.longitude) == (53.78238, -1.60586)

    client.force_login(council)
    queue = client.get("/council/groups/").content.decode()
    assert "<dt>Area</dt><dd>Millbrook</dd>" in queue


def test_a_group_without_a_postcode_has_no_ward(
    client: Client, resident: User, council: User
) -> None:
    client.force_login(resident)
    register(client, postcode="")
    group = CommunityGroup.objects.get()
    assert (group.postcode, group.ward, group.latitude) == ("", None, None)


@pytest.mark.parametrize(
    ("postcode", "message"),
    [
        ("ZZ9 9ZZ", "We do not know that postcode. Try one nearby, or leave it blank."),
        ("BK1", "Enter a UK postcode, like TF1 2AB."),
    ],
)
def test_a_postcode_the_table_lacks_is_refused_and_nothing_is_saved(
    client: Client, resident: User, council: User, postcode: str, message: str
) -> None:
    client.force_login(resident)
    page = register(client, postcode=postcode).content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not CommunityGroup.objects.exists()
    assert not Notification.objects.filter(user=council).exists()
