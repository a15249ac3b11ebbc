"""Bring a friend: the link a resident shares, and a friend taking a place through it.
The place itself is `signup_create`'s (eligibility, locks, the waiting list); an invite
only says which shift and who brought them."""

import secrets

from django.db import IntegrityError, transaction

from accounts.models import User
from marketplace.board.models import Invite, Opportunity, Shift, Signup
from marketplace.board.services.common import SignupRefused
from marketplace.board.services.signups import signup_create


def invite_create(*, user: User, opportunity: Opportunity, shift: Shift | None = None) -> Invite:
    """The person's invite link to this shift (or to the opportunity as a whole): the one
    they already have, so that every link they have shared keeps working."""
    if shift is not None and shift.opportunity_id != opportunity.pk:
        raise ValueError("The shift is not one of this opportunity's.")
    mine = Invite.objects.filter(inviter=user, opportunity=opportunity, shift=shift)
    existing = mine.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Invite.objects.create(
                inviter=user,
                opportunity=opportunity,
                shift=shift,
                token=secrets.token_urlsafe(16),
            )
    except IntegrityError:
        # Two taps at once: the other request made it (the unique constraints say so).
        return mine.get()


def invite_accept(*, invite: Invite, user: User, shift: Shift | None = None) -> Signup:
    """The friend takes a place (or joins the waiting list) through the link: on the
    invite's shift, or on the one they picked of its opportunity's."""
    if invite.inviter_id == user.pk:
        raise SignupRefused(
            "This is your own invite link. Share it with a friend so they can come with you."
        )
    if shift is not None and (
        shift.opportunity_id != invite.opportunity_id or invite.shift_id not in (None, shift.pk)
    ):
        raise SignupRefused("That shift is not part of this invite.")
    chosen = shift or invite.shift
    if chosen is None:
        raise SignupRefused("Choose a shift to sign up to.")
    return signup_create(shift=chosen, user=user, brought_by=invite.inviter)
