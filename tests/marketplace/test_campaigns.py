import io
import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts.models import User
from coins.models import Scheme, SchemeAdmin
from marketplace.board.models import Campaign, GroupOrganiser, Hours, Opportunity, Shift, Signup
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift
from tests.marketplace.test_opportunity_edit import form_data

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def town_scheme() -> Scheme:
    scheme, _ = Scheme.objects.get_or_create(slug="testford", defaults={"name": "Testford"})
    return scheme


def council_officer(scheme: Scheme | None = None) -> User:
    officer = make_user("council@example.org", display_name="Cara")
    SchemeAdmin.objects.create(scheme=scheme or town_scheme(), user=officer)
    return officer


def campaign_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "The Great Get Together",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + timedelta(days=14)).isoformat(),
        "text": "Two weeks of meeting the neighbours.",
        "image_alt": "",
    }
    data.update(changes)
    return data


def a_campaign(name: str = "Spring Clean", *, days: int = 14, **fields: Any) -> Campaign:
    slug = name.lower().replace(" ", "-")
    values: dict[str, Any] = {"starts_on": TODAY, "ends_on": TODAY + timedelta(days=days)}
    values.update(fields)
    return Campaign.objects.create(
        scheme=town_scheme(), name=name, slug=slug, text="Tidy the town.", **values
    )


def png_with_exif() -> bytes:
    image = Image.new("RGB", (800, 600), "gold")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif)
    return out.getvalue()


# The council makes and changes campaigns.


def test_the_council_creates_a_campaign_with_a_picture_and_it_gets_a_slug(
    client: Client,
) -> None:
    client.force_login(council_officer())
    assert "New campaign" in client.get("/council/campaigns/").content.decode()
    picture = SimpleUploadedFile("sun.png", png_with_exif(), content_type="image/png")
    response = client.post(
        "/council/campaigns/new/",
        campaign_data(image=picture, image_alt="Neighbours at a long table in the park"),
    )
    assert response.status_code == 302 and response["Location"] == "/council/campaigns/"
    campaign = Campaign.objects.get()
    assert campaign.slug == "the-great-get-together"
    assert campaign.scheme == town_scheme()
    with campaign.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.format == "JPEG" and not stored.getexif()
    listing = client.get("/council/campaigns/").content.decode()
    assert "The Great Get Together" in listing
    page = client.get("/campaigns/the-great-get-together/").content.decode()
    assert 'alt="Neighbours at a long table in the park"' in page
    # The same name again gets an address of its own.
    client.post("/council/campaigns/new/", campaign_data())
    assert Campaign.objects.filter(slug="the-great-get-together-2").exists()


def test_bad_dates_and_a_picture_without_words_are_explained(client: Client) -> None:
    client.force_login(council_officer())
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    page = client.post(
        "/council/campaigns/new/", campaign_data(ends_on=yesterday, name="")
    ).content.decode()
    assert "There is a problem" in page
    assert "The end date must be on or after the start date." in page
    assert "Enter the campaign&#x27;s name." in page
    picture = SimpleUploadedFile("sun.png", png_with_exif(), content_type="image/png")
    page = client.post("/council/campaigns/new/", campaign_data(image=picture)).content.decode()
    assert "Say what the picture shows, for people who cannot see it." in page
    not_a_picture = SimpleUploadedFile("sun.png", b"<svg></svg>", content_type="image/png")
    page = client.post(
        "/council/campaigns/new/", campaign_data(image=not_a_picture, image_alt="Sun")
    ).content.decode()
    assert "That file is not a photo we can read." in page
    assert not Campaign.objects.exists()


def test_the_council_edits_a_campaign_and_its_address_stays(client: Client) -> None:
    campaign = a_campaign()
    client.force_login(council_officer())
    form = client.get(f"/council/campaigns/{campaign.pk}/edit/").content.decode()
    assert "Spring Clean" in form
    later = (TODAY + timedelta(days=30)).isoformat()
    page = client.post(
        f"/council/campaigns/{campaign.pk}/edit/",
        campaign_data(name="Spring Clean 2027", starts_on=later),
    ).content.decode()
    assert "The end date must be on or after the start date." in page
    response = client.post(
        f"/council/campaigns/{campaign.pk}/edit/", campaign_data(name="Spring Clean 2027")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Spring Clean 2027" and campaign.slug == "spring-clean"


def test_only_the_schemes_admins_run_its_campaigns(client: Client, resident: User) -> None:
    campaign = a_campaign()
    group = make_group()
    for person in (resident, GroupOrganiser.objects.get(group=group).user):
        client.force_login(person)
        assert client.get("/council/campaigns/").status_code == 403
        assert client.post("/council/campaigns/new/", campaign_data()).status_code == 403
        assert client.get(f"/council/campaigns/{campaign.pk}/edit/").status_code == 403
    # Another town's officer cannot find this town's campaign.
    elsewhere = Scheme.objects.create(name="Otherton", slug="otherton")
    client.force_login(council_officer(elsewhere))
    assert client.get(f"/council/campaigns/{campaign.pk}/edit/").status_code == 404
    assert "Spring Clean" not in client.get("/council/campaigns/").content.decode()
    assert Campaign.objects.count() == 1


# Organisers join campaigns.


def test_an_organiser_adds_an_opportunity_to_a_campaign_that_has_not_ended(
    client: Client,
) -> None:
    running = a_campaign()
    ended = a_campaign("Winter Warmth", starts_on=TODAY - timedelta(days=60), days=-30)
    group = make_group()
    client.force_login(GroupOrganiser.objects.get(group=group).user)
    form = client.get(f"/organise/groups/{group.pk}/opportunities/new/").content.decode()
    assert "Spring Clean" in form and "Winter Warmth" not in form
    page = client.post(
        f"/organise/groups/{group.pk}/opportunities/new/", form_data(campaign=str(ended.pk))
    ).content.decode()
    assert "Choose one of the council&#x27;s campaigns that has not ended." in page
    response = client.post(
        f"/organise/groups/{group.pk}/opportunities/new/", form_data(campaign=str(running.pk))
    )
    assert response.status_code == 302
    assert Opportunity.objects.get().campaign == running


def send(client: Client, method: str, path: str, body: dict[str, Any]) -> Any:
    call = getattr(client, method)
    return call(f"/api/v1{path}", json.dumps(body), content_type="application/json")


def test_the_organiser_api_adds_and_removes_a_campaign(client: Client) -> None:
    running = a_campaign()
    ended = a_campaign("Winter Warmth", starts_on=TODAY - timedelta(days=60), days=-30)
    shift = make_shift(causes=["environment"])
    client.force_login(GroupOrganiser.objects.get(group=shift.opportunity.group).user)
    path = f"/organise/opportunities/{shift.opportunity_id}"
    refused = send(client, "patch", path, {"campaign": ended.pk})
    assert refused.status_code == 422
    assert "has not ended" in refused.json()["errors"]["campaign"][0]
    joined = send(client, "patch", path, {"campaign": running.pk})
    assert joined.status_code == 200 and joined.json()["campaign_id"] == running.pk
    untouched = send(client, "patch", path, {"title": "Riverside litter pick"})
    assert untouched.json()["campaign_id"] == running.pk
    left = send(client, "patch", path, {"campaign": None})
    assert left.status_code == 200 and left.json()["campaign_id"] is None


# The public pages.


def test_the_campaign_page_lists_its_opportunities_with_their_next_shifts(
    client: Client,
) -> None:
    campaign = a_campaign()
    shift = make_shift(title="Park tidy", days_ahead=2, taster=True, campaign=campaign)
    make_shift(title="Not in it", days_ahead=2)
    make_shift(
        title="A draft",
        campaign=campaign,
        status=Opportunity.State.DRAFT,
    )
    page = client.get("/campaigns/spring-clean/").content.decode()
    assert "Spring Clean" in page and "Tidy the town." in page
    assert "Park tidy" in page and "Not in it" not in page and "A draft" not in page
    assert timezone.localtime(shift.start).strftime("%a %-d %b, %H:%M") in page
    assert "10 places left" in page
    assert '<span class="tag">Taster</span>' in page
    assert client.get("/campaigns/no-such-thing/").status_code == 404


def test_the_campaigns_list_is_linked_from_the_board(client: Client) -> None:
    a_campaign()
    a_campaign("Winter Warmth", starts_on=TODAY - timedelta(days=60), days=-30)
    assert 'href="/campaigns/"' in client.get("/opportunities/").content.decode()
    page = client.get("/campaigns/").content.decode()
    assert "Spring Clean" in page
    assert "Past campaigns" in page and "Winter Warmth" in page


def people_on(shift: Shift, count: int, *, start: int = 0, confirm: bool = False) -> None:
    for n in range(start, start + count):
        person = User.objects.filter(email=f"p{n}@example.org").first() or make_user(
            f"p{n}@example.org"
        )
        signup = Signup.objects.create(shift=shift, user=person, status=Signup.State.CONFIRMED)
        if confirm:
            Hours.objects.create(
                signup=signup, minutes=90, status=Hours.State.CONFIRMED, decided_at=timezone.now()
            )


def test_participation_counts_each_person_once_and_hides_small_numbers(
    client: Client,
) -> None:
    Scheme.objects.filter(pk=town_scheme().pk).update(privacy_k=5)
    campaign = a_campaign(starts_on=TODAY - timedelta(days=3))
    past = make_shift(title="Park tidy", campaign=campaign)
    start = timezone.now() - timedelta(days=1)
    Shift.objects.filter(pk=past.pk).update(start=start, end=start + timedelta(hours=2))
    people_on(past, 4, confirm=True)
    page = client.get("/campaigns/spring-clean/").content.decode()
    assert "Fewer than 5" in page
    assert "4 h" not in page and "6 h" not in page
    assert "Shown once 5 or more people have given them" in page

    # The same four on a second shift are still four people; a fifth makes five.
    later = Shift.objects.create(
        opportunity=past.opportunity,
        start=timezone.now() + timedelta(days=2),
        end=timezone.now() + timedelta(days=2, hours=2),
        capacity=10,
    )
    people_on(later, 4)
    page = client.get("/campaigns/spring-clean/").content.decode()
    assert "Fewer than 5" in page
    people_on(later, 1, start=4)
    page = client.get("/campaigns/spring-clean/").content.decode()
    assert "<dd>5</dd>" in page
    # Hours: four people gave them, still too few to show.
    assert "Shown once 5 or more people have given them" in page
    people_on(past, 1, start=4, confirm=True)
    page = client.get("/campaigns/spring-clean/").content.decode()
    assert "7 h 30 min" in page  # five people, 90 minutes each

    # Shifts outside the campaign's dates do not count.
    before = Shift.objects.create(
        opportunity=past.opportunity,
        start=timezone.now() - timedelta(days=10),
        end=timezone.now() - timedelta(days=10) + timedelta(hours=2),
        capacity=10,
    )
    people_on(before, 3, start=10, confirm=True)
    page = client.get("/campaigns/spring-clean/").content.decode()
    assert "<dd>5</dd>" in page and "7 h 30 min" in page


def test_a_campaign_page_without_anyone_yet_says_none(client: Client) -> None:
    campaign = a_campaign(starts_on=date(2027, 6, 1), ends_on=date(2027, 6, 1))
    page = client.get(f"/campaigns/{campaign.slug}/").content.decode()
    assert "<dd>0</dd>" in page
    assert "No opportunities have joined this campaign yet." in page
