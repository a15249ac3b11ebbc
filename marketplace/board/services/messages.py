"""Organisers' messages to everyone on a shift: stored, then delivered once by Celery
through notify() (in the page, and by e-mail with the group's reply-to address)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from marketplace.board.models import Shift, ShiftMessage, Signup
from marketplace.organisations import NotAllowed
from notifications.services import notify
from outbox.services import outbox_enqueue


def shift_message_send(*, shift: Shift, by: User, subject: str, body: str) -> ShiftMessage:
    """Write to everyone with a place or waiting on a shift: stored now, delivered by
    Celery after commit (shift_message_deliver)."""
    if not by.has_perm("marketplace.manage_group", shift.opportunity.group):
        raise NotAllowed("Only the group's organisers can message its volunteers.")
    with transaction.atomic():
        message = ShiftMessage.objects.create(shift=shift, sender=by, subject=subject, body=body)
        from marketplace.board.tasks import shift_message_email

        outbox_enqueue(shift_message_email.name, message.pk)
    return message


def shift_message_email_send(*, message_id: int) -> int:
    """Deliver a stored shift message to the people on the shift, once: running it again
    tells nobody twice. Returns how many were told; the e-mails go after commit."""
    with transaction.atomic():
        claimed = ShiftMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if not claimed:
            return 0
        message = ShiftMessage.objects.select_related("shift__opportunity__group").get(
            pk=message_id
        )
        group = message.shift.opportunity.group
        people = User.objects.filter(
            signups__shift=message.shift, signups__status__in=Signup.ACTIVE
        ).distinct()
        told = notify(
            recipients=list(people),
            kind="shift_message",
            title=message.subject,
            body=message.body,
            subject=f"{group.name}: {message.subject}",
            reply_to=group.contact_email,
        )
    return len(told)
