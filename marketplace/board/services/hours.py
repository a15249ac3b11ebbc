"""Time given on shifts: claims, confirmation, and the coins it earns (attendance is
`services.attendance`).

A confirmed Hours record is the one event the ledger mints from, through
`hours_confirm`; a correction reverses that mint and mints again, never edits it."""

from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from cohesion.services import pulse_offer
from coins.services import LedgerError, MintResult, coins_mint, transfer_reverse
from marketplace.board.models import Hours, Shift, Signup
from marketplace.board.services.bonuses import bonuses_award
from marketplace.board.services.common import signups_changed
from marketplace.organisations import NotAllowed, Status
from notifications.services import headline, notify


@dataclass(frozen=True)
class HoursConfirmResult:
    confirmed: list[Hours]
    skipped: list[str]  # why any sign-up on the shift was left out, one line each
    # What each confirmed record earned, by Hours id (coins, and anything capped).
    coins: dict[int, MintResult] = field(default_factory=dict)


def hours_confirm(
    *, shift: Shift, minutes: dict[int, int], by: User, only: set[int] | None = None
) -> HoursConfirmResult:
    """Confirm the time each volunteer gave on a shift, in one action.

    `minutes` maps sign-up ids to minutes; a sign-up not in it gets the shift's length.
    `only` limits it to some sign-ups (approving one claim). Volunteers marked as not
    having come, and the organiser themself, are left out."""
    group = shift.opportunity.group
    if not by.has_perm("marketplace.manage_group", group):
        raise NotAllowed("Only the group's organisers can confirm hours for its shifts.")
    if group.status != Status.VERIFIED:
        raise NotAllowed("Hours can be confirmed once the council has verified the group.")
    if shift.end > timezone.now():
        raise NotAllowed("Hours can be confirmed once the shift has ended.")
    confirmed: list[Hours] = []
    skipped: list[str] = []
    coins: dict[int, MintResult] = {}
    default = int(shift.length.total_seconds() // 60)
    with transaction.atomic():
        Shift.objects.select_for_update(no_key=True).get(pk=shift.pk)
        signups = shift.signups.filter(status=Signup.State.CONFIRMED).select_related("user")
        if only is not None:
            signups = signups.filter(pk__in=only)
        for signup in signups.select_for_update(of=("self",)):
            reason = _why_not_confirm(signup, by)
            if reason:
                skipped.append(reason)
                continue
            hours = _hours_record(signup, minutes.get(signup.pk, default), by)
            if hours is not None:
                confirmed.append(hours)
                coins[hours.pk] = _mint(hours, by)
                _tell_confirmed(hours, coins[hours.pk])
                pulse_offer(user=signup.user, scheme=shift.opportunity.scheme)
        # After the loop: some rules (a shift that mixed ages) look at everyone confirmed.
        bonuses_award(shift=shift, confirmed=confirmed)
        signups_changed(shift.pk)
    return HoursConfirmResult(confirmed=confirmed, skipped=skipped, coins=coins)


def _mint(hours: Hours, by: User, replacing: Hours | None = None) -> MintResult:
    """Coins for one confirmed record, at the scheme's rate and within its caps. The
    memo names the opportunity and the day, never the volunteer."""
    shift = hours.signup.shift
    day = timezone.localtime(shift.start).date()
    result = coins_mint(
        scheme=shift.opportunity.scheme,
        user=hours.signup.user,
        minutes=hours.minutes,
        key=f"mint:hours:{hours.pk}:{hours.minutes}:{replacing.mint_id if replacing else 0}",
        on=day,
        memo=f"{hours.hours_display} volunteering: {shift.opportunity.title}, {day:%-d %b}",
        actor=by,
        replacing=replacing.mint if replacing else None,
    )
    hours.mint = result.transfer
    hours.save(update_fields=["mint"])
    return result


def _tell_confirmed(hours: Hours, minted: MintResult) -> None:
    title = hours.signup.shift.opportunity.title
    body = "Thank you for giving your time."
    if minted.coins:
        body = f"You earned {hours.signup.shift.opportunity.scheme.coins(minted.coins)}. {body}"
    if minted.note:
        body = f"{body} {minted.note[0].upper()}{minted.note[1:]}."
    # After a first session, the pathway: what to try next, from other groups and wards.
    first = not (
        Hours.objects.filter(
            signup__user=hours.signup.user_id,
            status=Hours.State.CONFIRMED,
            signup__shift__opportunity__scheme=hours.signup.shift.opportunity.scheme_id,
        )
        .exclude(pk=hours.pk)
        .exists()
    )
    if first:
        body = f"{body} Here are a few things you could try next."
    notify(
        recipients=[hours.signup.user],
        kind="hours_confirmed",
        title=headline(f"{hours.hours_display} confirmed for {title}"),
        body=body,
        url=reverse("board:what_next" if first else "coins:wallet"),
    )


def _why_not_confirm(signup: Signup, by: User) -> str:
    name = signup.user.display_name or "A volunteer"
    if signup.user_id == by.pk:
        return "Your own hours need another organiser to confirm them."
    if signup.attended is False:
        return f"{name} was marked as not coming."
    if not signup.user.is_active:  # deleted their account: nothing more is minted for them
        return "A volunteer who has left Citizen Coin is left out."
    decided = Hours.objects.filter(signup=signup, status=Hours.State.REJECTED).exists()
    if decided:
        return f"{name}'s claim was not confirmed, so it is left as it is."
    return ""


def _hours_record(signup: Signup, minutes: int, by: User) -> Hours | None:
    """Confirm one person's time; a record already confirmed is left as it is (a
    correction is a reversal, never an edit)."""
    if not 1 <= minutes <= 24 * 60:
        raise NotAllowed("Hours must be between 1 minute and 24 hours.")
    existing = Hours.objects.filter(signup=signup).first()
    if existing is not None and existing.status == Hours.State.CONFIRMED:
        return None
    hours = existing or Hours(signup=signup)
    hours.minutes = minutes
    hours.status = Hours.State.CONFIRMED
    hours.decided_by = by
    hours.decided_at = timezone.now()
    hours.save()
    return hours


def hours_claim(*, signup: Signup, minutes: int, by: User) -> Hours:
    """A volunteer says how long they gave on a past shift; an organiser decides."""
    if signup.user_id != by.pk:
        raise NotAllowed("You can only claim your own hours.")
    if signup.status != Signup.State.CONFIRMED or signup.shift.end > timezone.now():
        raise NotAllowed("You can claim hours for a shift you had a place on, once it is over.")
    if signup.attended is False:
        raise NotAllowed("The organiser marked you as not coming; ask them if that is wrong.")
    if not 1 <= minutes <= 24 * 60:
        raise NotAllowed("Hours must be between 1 minute and 24 hours.")
    with transaction.atomic():
        existing = Hours.objects.select_for_update().filter(signup=signup).first()
        if existing is not None and existing.status != Hours.State.CLAIMED:
            raise NotAllowed("These hours have already been decided.")
        hours = existing or Hours(signup=signup, status=Hours.State.CLAIMED)
        hours.minutes = minutes
        hours.save()
        organisers = User.objects.filter(
            organiser_memberships__group=signup.shift.opportunity.group
        )
        notify(
            recipients=list(organisers),
            kind="hours_claimed",
            title=headline(f"Hours claimed for {signup.shift.opportunity.title}"),
            body=f"{hours.hours_display} to approve.",
            url=reverse("organise:shift", args=[signup.shift_id]),
        )
    signups_changed(signup.shift_id)
    return hours


def hours_reject(*, hours: Hours, by: User, reason: str) -> Hours:
    signup = hours.signup
    if not by.has_perm("marketplace.manage_group", signup.shift.opportunity.group):
        raise NotAllowed("Only the group's organisers can decide on hours.")
    if not reason.strip():
        raise NotAllowed("Give a reason, so that the volunteer knows why.")
    if len(reason.strip()) > 300:
        raise NotAllowed("Keep the reason to 300 characters or fewer.")
    if hours.status != Hours.State.CLAIMED:
        raise NotAllowed("These hours have already been decided.")
    hours.status = Hours.State.REJECTED
    hours.reason = reason.strip()
    hours.decided_by = by
    hours.decided_at = timezone.now()
    with transaction.atomic():
        hours.save()
        notify(
            recipients=[signup.user],
            kind="hours_rejected",
            title=headline(f"Your hours for {signup.shift.opportunity.title} were not confirmed"),
            body=hours.reason,
        )
    signups_changed(signup.shift_id)
    return hours


def hours_correct(*, hours: Hours, minutes: int, by: User, reason: str) -> Hours:
    """Change confirmed hours: the old mint is reversed and the new time minted, so the
    statement shows both. Refused if the volunteer has already spent the difference."""
    signup = hours.signup
    if not by.has_perm("marketplace.manage_group", signup.shift.opportunity.group):
        raise NotAllowed("Only the group's organisers can correct hours.")
    if signup.user_id == by.pk:
        raise NotAllowed("Your own hours need another organiser to correct them.")
    if hours.status != Hours.State.CONFIRMED:
        raise NotAllowed("Only confirmed hours can be corrected.")
    if not reason.strip():
        raise NotAllowed("Give a reason, so that the volunteer knows why.")
    if len(reason.strip()) > 300:
        raise NotAllowed("Keep the reason to 300 characters or fewer.")
    if not 1 <= minutes <= 24 * 60:
        raise NotAllowed("Hours must be between 1 minute and 24 hours.")
    with transaction.atomic():
        hours = Hours.objects.select_for_update().get(pk=hours.pk)
        if minutes == hours.minutes:
            return hours
        before = Hours.objects.select_related("mint").get(pk=hours.pk)
        hours.minutes, hours.reason = minutes, reason.strip()[:300]
        hours.save(update_fields=["minutes", "reason"])
        try:
            # Mint the new amount first, then reverse the old: the wallet never dips.
            minted = _mint(hours, by, replacing=before)
            if before.mint is not None:
                transfer_reverse(transfer=before.mint, actor=by, reason=hours.reason)
        except LedgerError as refused:
            raise NotAllowed(
                f"{signup.user.display_name or 'The volunteer'} has already spent some of "
                f"these coins, so the hours cannot be lowered that far. ({refused})"
            ) from refused
        _tell_confirmed(hours, minted)
    signups_changed(signup.shift_id)
    return hours
