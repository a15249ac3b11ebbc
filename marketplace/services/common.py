"""What the board's and the shops' services share: refusals, and how an organisation
(a community group or a shop) is named and verified."""

from datetime import datetime

from django.db.models import Model
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from coins.models import Scheme
from marketplace.models import Organisation, Retailer, Status
from notifications.live import live_refresh
from notifications.services import notify


class SignupRefused(Exception):
    """A sign-up the rules do not allow; the message is written for the volunteer."""


class NotAllowed(Exception):
    """The person may not do this to this object; the message says why."""


def free_slug(model: type[Model], scheme: Scheme, name: str, fallback: str) -> str:
    """A slug for a new group or shop that no other of its kind in the scheme has."""
    base = slugify(name)[:40] or fallback
    slug, n = base, 2
    while model._default_manager.filter(scheme=scheme, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def decision_record(
    *, organisation: Organisation, by: User, verify: bool, reason: str, who: str
) -> str:
    """Record a scheme admin's verification or rejection; a rejection needs a reason,
    which `who` ("the group", "the shop") will see. Returns the cleaned reason."""
    reason = reason.strip()
    if not verify and not reason:
        raise NotAllowed(f"Give a reason, so that {who} knows what to change.")
    if len(reason) > 300:
        raise NotAllowed("Keep the reason to 300 characters or fewer.")
    organisation.status = Status.VERIFIED if verify else Status.REJECTED
    organisation.status_reason = "" if verify else reason
    organisation.decided_by = by
    organisation.decided_at = timezone.now()
    organisation.save(update_fields=["status", "status_reason", "decided_by", "decided_at"])
    return reason


def headline(text: str) -> str:
    """A notification title that fits its column: an opportunity's title alone may
    take 120 of its 140 characters."""
    return text if len(text) <= 140 else text[:139] + "…"


def shift_when(start: datetime, end: datetime | None = None) -> str:
    """ "Sat 3 May, 10:00" (to "13:00"), in the scheme's local time."""
    when = timezone.localtime(start).strftime("%a %-d %b, %H:%M")
    return f"{when} to {timezone.localtime(end):%H:%M}" if end else when


def signups_changed(shift_id: int) -> None:
    """After commit, the organisers' open pages of this shift refresh its sign-up list."""
    organisers = User.objects.filter(
        organiser_memberships__group__opportunities__shifts=shift_id
    ).values_list("pk", flat=True)
    live_refresh(user_ids=list(organisers), fragments=["signups"])


def takings_changed(retailer: Retailer) -> None:
    """After commit, the shop's open dashboards and receipts refresh their figures."""
    staff = retailer.staff.values_list("user_id", flat=True)
    live_refresh(user_ids=list(staff), fragments=["takings"])


def admins_tell_pending(*, organisation: Organisation, kind: str, body: str, url: str) -> None:
    """Tell the scheme's admins that a group or shop waits for them to verify it."""
    notify(
        recipients=list(User.objects.filter(scheme_admin_memberships__scheme=organisation.scheme)),
        kind=kind,
        title=headline(f"{organisation.name} is waiting for verification"),
        body=body,
        url=url,
    )
