import pytest
from django.test import Client

from accounts.models import User
from notifications.models import Notification
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_marking_one_notification_read_leaves_the_others_unread(
    resident: User, client: Client
) -> None:
    first, second = (
        Notification.objects.create(user=resident, kind="hours_confirmed", title=title)
        for title in ("First", "Second")
    )
    client.force_login(resident)
    response = client.post(f"/notifications/{first.pk}/read/", {"page": "1"})
    assert response["Location"] == "/notifications/?page=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    page = client.get("/notifications/").content.decode()
    assert page.count("Mark as read<span") == 1


def test_nobody_can_mark_someone_elses_notification_read(resident: User, client: Client) -> None:
    theirs = Notification.objects.create(user=make_user("jo@example.org"), kind="x", title="Hi")
    client.force_login(resident)
    client.post(f"/notifications/{theirs.pk}/read/")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_is_a_post_only(resident: User, client: Client) -> None:
    note = Notification.objects.create(user=resident, kind="x", title="Hi")
    client.force_login(resident)
    assert client.get(f"/notifications/{note.pk}/read/").status_code == 405


def test_the_centre_links_to_the_choices_and_lists_only_what_is_shown_in_the_page(
    resident: User, client: Client
) -> None:
    Notification.objects.create(user=resident, kind="a", title="Shown")
    Notification.objects.create(
        user=resident, kind="b", title="Email only", in_page=False, read_at="2026-01-01T10:00Z"
    )
    client.force_login(resident)
    page = client.get("/notifications/").content.decode()
    assert "Shown" in page and "Email only" not in page
    assert 'href="/notifications/preferences/"' in page
