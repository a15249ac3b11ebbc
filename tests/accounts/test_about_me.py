"""'About me': opt-in answers for the council's totals, withdrawn by deleting them."""

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Background, User

pytestmark = pytest.mark.django_db

URL = "/accounts/about-me/"


def test_a_resident_saves_both_answers_as_one_row(client: Client, resident: User) -> None:
    client.force_login(resident)
    page = client.get(URL).content.decode()
    assert "never shown to groups or shops" in page
    assert "Prefer not to say" in page
    assert "Save my answers for the council's totals" in page
    response = client.post(URL, {"action": "save", "ethnic_group": "mixed", "religion": "unsaid"})
    assert response["Location"] == URL
    saved = Background.objects.get(user=resident)
    assert (saved.ethnic_group, saved.religion) == ("mixed", "unsaid")
    page = client.get(URL).content.decode()
    assert "Your answers are saved." in page
    assert 'value="mixed" id="id_ethnic_group_2" required checked' in page


def test_changing_the_answers_keeps_one_row(client: Client, resident: User) -> None:
    Background.objects.create(user=resident, ethnic_group="white", religion="none")
    client.force_login(resident)
    assert "Save my changed answers" in client.get(URL).content.decode()
    client.post(URL, {"action": "save", "ethnic_group": "white", "religion": "buddhist"})
    assert list(Background.objects.values_list("user", "religion")) == [(resident.pk, "buddhist")]


def test_withdrawing_deletes_the_answers(client: Client, resident: User) -> None:
    Background.objects.create(user=resident, ethnic_group="asian", religion="hindu")
    client.force_login(resident)
    assert "Withdraw and delete my answers" in client.get(URL).content.decode()
    response = client.post(URL, {"action": "withdraw"}, follow=True)
    assert "Your answers are deleted." in response.content.decode()
    assert not Background.objects.filter(user=resident).exists()
    assert "Withdraw and delete my answers" not in response.content.decode()


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"ethnic_group": "martian", "religion": "none"}, "Choose one of the ethnic groups listed"),
        ({"ethnic_group": "white", "religion": "jedi"}, "Choose one of the religions listed"),
        ({"ethnic_group": "white"}, "Choose your religion, or “Prefer not to say”."),
    ],
)
def test_an_answer_not_on_the_list_is_refused_and_nothing_saved(
    client: Client, resident: User, sent: dict[str, str], message: str
) -> None:
    client.force_login(resident)
    response = client.post(URL, {"action": "save", **sent})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not Background.objects.exists()


def test_logged_out_people_are_sent_to_log_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(URL, {"action": "withdraw"}).status_code == 302


def test_it_shows_the_postcode_and_the_age_band_from_the_date_of_birth(
    client: Client, resident: User
) -> None:
    client.force_login(resident)
    page = client.get(URL).content.decode()
    assert "Add your date of birth on Your details" in page
    assert "Add your postcode on Your details" in page
    today = timezone.localdate()
    resident.birth_date = date(today.year - 30, 1, 1)
    resident.postcode = "BK1 1AA"
    resident.save()
    page = client.get(URL).content.decode()
    assert "25 to 34, from your date of birth" in page
    assert "BK1 1AA" in page and "Change your postcode on Your details" in page


def test_the_details_page_explains_and_links_to_about_me(client: Client, resident: User) -> None:
    client.force_login(resident)
    page = client.get("/accounts/details/").content.decode()
    assert f'href="{URL}"' in page and "Never shown to groups or shops" in page
