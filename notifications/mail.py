"""Notification emails: sent by Celery in batches over one connection, each once, each
with a way to stop that kind of email in one click."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse

from notifications.delivery import rows_claim, rows_release, rows_sent
from notifications.kinds import kind_for
from notifications.models import Notification
from outbox.services import WorkHeld

EMAIL_BATCH = 100
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    """Signed, not stored; it never expires, because old emails' links must still work."""
    return signing.dumps([user_id, kind], salt=UNSUBSCRIBE_SALT)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """The person and kind a token names, or None for a forged or mangled one."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    match value:
        case [int(user_id), str(kind)]:
            return user_id, kind
    return None


def unsubscribe_headers(*, user_id: int, kind: str) -> tuple[str, dict[str, str]]:
    """The absolute unsubscribe link for one person and kind, and the RFC 8058 headers
    that let mail clients offer it (a one-click "Unsubscribe" that POSTs to the link)."""
    token = unsubscribe_token(user_id=user_id, kind=kind)
    link = absolute(reverse("notifications:unsubscribe", args=[token]))
    return link, {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def notifications_email_send(
    *, notification_ids: list[int], subject: str = "", reply_to: str = ""
) -> int:
    """Email the rows not emailed yet, 100 at a time over one connection; returns how
    many went. Running it again (a retry, a duplicate task) sends nothing twice; rows
    another run is sending raise WorkHeld once the rest have gone, for a retry after its
    claim lapses. The only place e-mail leaves the system, never inside a transaction or
    under a lock."""
    sent, held = 0, 0
    connection = get_connection()
    try:
        for start in range(0, len(notification_ids), EMAIL_BATCH):
            chunk = notification_ids[start : start + EMAIL_BATCH]
            claim = rows_claim(ids=chunk, stamp="emailed_at")
            sent += _send_chunk(connection, claim.rows, subject=subject, reply_to=reply_to)
            held = max(held, claim.held_seconds)
    finally:
        connection.close()
    if held:
        raise WorkHeld(held)
    return sent


def _send_chunk(
    connection: BaseEmailBackend, rows: list[Notification], *, subject: str, reply_to: str
) -> int:
    messages = [
        _message(row, subject=subject, reply_to=reply_to)
        for row in rows
        if row.user.email and row.user.is_active
    ]
    ids = [row.pk for row in rows]
    try:
        if messages:
            connection.open()  # once: send_messages reuses an open connection
            went = connection.send_messages(messages) or 0
        else:
            went = 0
    except OSError:
        # The server refused or dropped us (smtplib's errors are OSErrors): give the
        # chunk back for the task's retry. A drop part-way through a chunk may repeat
        # its first few emails; that is better than losing a reminder.
        rows_release(ids=ids, stamp="emailed_at")
        raise
    rows_sent(ids=ids, stamp="emailed_at")
    return went


def _message(row: Notification, *, subject: str, reply_to: str) -> EmailMessage:
    kind = kind_for(row.kind)
    link, headers = (
        ("", {}) if kind.always_email else unsubscribe_headers(user_id=row.user_id, kind=row.kind)
    )
    body = render_to_string(
        "notifications/email.txt",
        {
            "note": row,
            "label": kind.label,
            "open_url": absolute(row.url) if row.url else "",
            "unsubscribe_url": link,
            "preferences_url": absolute(reverse("notifications:preferences")),
        },
    )
    return EmailMessage(
        subject=" ".join((subject or f"Citizen Coin: {row.title}").split()),
        body=body,
        to=[row.user.email],
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )
