import pytest
from django.core import mail
from django.test import Client

from accounts.models import User
from marketplace.board.models import GroupOrganiser, ShiftMessage, Signup
from marketplace.board.services.messages import shift_message_email_send
from notifications.models import Notification, NotificationPreference
from tests.conftest import make_user
from tests.marketplace.factories import make_group, make_shift

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_organiser_messages_everyone_on_a_shift_by_email_and_notification(
    client: Client,
) -> None:
    shift = make_shift(capacity=1)
    group = shift.opportunity.group
    group.contact_email = "hello@parkfriends.example"
    group.save()
    going, waiting, cancelled = (make_user(f"{n}@example.org") for n in ("a", "b", "c"))
    Signup.objects.create(shift=shift, user=going, status=Signup.State.CONFIRMED)
    Signup.objects.create(shift=shift, user=waiting, status=Signup.State.WAITLISTED)
    Signup.objects.create(shift=shift, user=cancelled, status=Signup.State.CANCELLED)
    client.force_login(GroupOrganiser.objects.get(group=group).user)
    client.post(
        f"/organise/shifts/{shift.pk}/message/",
        {"subject": "Bring boots", "body": "It is muddy by the river."},
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert mail.outbox[0].subject == "Park Friends: Bring boots"
    assert mail.outbox[0].reply_to == ["hello@parkfriends.example"]
    assert Notification.objects.filter(kind="shift_message").count() == 2
    # The task running again (a retry) sends nothing twice.
    assert shift_message_email_send(message_id=ShiftMessage.objects.get().pk) == 0
    assert len(mail.outbox) == 2


def test_only_the_groups_organisers_can_message_and_empty_messages_are_explained(
    client: Client, resident: User
) -> None:
    shift = make_shift()
    stranger = GroupOrganiser.objects.get(group=make_group("Other")).user
    client.force_login(stranger)
    response = client.post(f"/organise/shifts/{shift.pk}/message/", {"subject": "x", "body": "y"})
    assert response.status_code == 403
    client.force_login(GroupOrganiser.objects.get(group=shift.opportunity.group).user)
    page = client.post(f"/organise/shifts/{shift.pk}/message/", {}).content.decode()
    assert "Enter a subject." in page and "Enter your message." in page
    assert not ShiftMessage.objects.exists()
    assert mail.outbox == []


def test_organisers_messages_honour_the_email_choice_and_carry_an_unsubscribe_link(
    client: Client,
) -> None:
    shift = make_shift()
    keen, quiet = make_user("keen@example.org"), make_user("quiet@example.org")
    for person in (keen, quiet):
        Signup.objects.create(shift=shift, user=person, status=Signup.State.CONFIRMED)
    NotificationPreference.objects.create(
        user=quiet, kind="shift_message", in_page=True, email=False, push=False
    )
    client.force_login(GroupOrganiser.objects.get(group=shift.opportunity.group).user)
    client.post(f"/organise/shifts/{shift.pk}/message/", {"subject": "Boots", "body": "Muddy."})
    assert [m.to for m in mail.outbox] == [["keen@example.org"]]
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    assert link in mail.outbox[0].body
    client.logout()
    client.post(link)  # a mail client's one-click unsubscribe
    assert not NotificationPreference.objects.get(user=keen, kind="shift_message").email
    assert Notification.objects.filter(user=quiet, kind="shift_message").exists()  # in the page
