"""Community groups: registering one, the council's decision, and the DBS outcomes its
organisers record (never the certificate)."""

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coins.models import Account, Scheme
from coins.services import account_for
from marketplace.board.models import (
    CommunityGroup,
    DbsRecord,
    GroupOrganiser,
)
from marketplace.organisations import NotAllowed, admins_tell_pending, decision_record, free_slug
from notifications.services import notify
from places.selectors import postcode_found


def group_register(*, scheme: Scheme, by: User, **details: str) -> CommunityGroup:
    """A person registers a group: it waits for the council, and they organise it."""
    with transaction.atomic():
        group = CommunityGroup(
            scheme=scheme,
            slug=free_slug(CommunityGroup, scheme, details["name"], "group"),
            **details,
        )
        group.place_at(postcode_found(group.postcode))
        group.save()
        GroupOrganiser.objects.create(group=group, user=by)
        admins_tell_pending(
            organisation=group,
            kind="group_pending",
            body="A new community group has registered.",
            url=reverse("council:groups"),
        )
    return group


def group_decide(*, group: CommunityGroup, by: User, verify: bool, reason: str = "") -> None:
    """A scheme admin verifies a group, or rejects it with a reason its organisers see."""
    if not by.has_perm("marketplace.verify_group", group):
        raise NotAllowed("Only the scheme's admins can verify its groups.")
    with transaction.atomic():
        reason = decision_record(
            organisation=group, by=by, verify=verify, reason=reason, who="the group"
        )
        if verify:  # so that residents can give it coins
            account_for(scheme=group.scheme, kind=Account.Kind.GROUP, owner=group)
        organisers = User.objects.filter(organiser_memberships__group=group)
        notify(
            recipients=list(organisers),
            kind="group_verified" if verify else "group_rejected",
            title=f"{group.name} is verified" if verify else f"{group.name} was not verified",
            body="You can now publish opportunities." if verify else reason,
        )


def dbs_record(
    *, group: CommunityGroup, email: str, outcome: str, checked_on: date, by: User
) -> DbsRecord:
    """An organiser records what a volunteer's DBS certificate said, and when: the
    outcome and date only, never the certificate or its number."""
    if not by.has_perm("marketplace.manage_group", group):
        raise NotAllowed("Only the group's organisers can record DBS checks.")
    if checked_on > timezone.localdate():
        raise NotAllowed("The check date cannot be in the future.")
    volunteer = User.objects.filter(email__iexact=email.strip()).first()
    if volunteer is None:
        raise NotAllowed(
            "Nobody has joined Citizen Coin with that email yet. Ask them to sign up first."
        )
    return DbsRecord.objects.create(
        user=volunteer, outcome=outcome, checked_on=checked_on, recorded_by=by, group=group
    )
