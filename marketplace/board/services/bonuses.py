"""Bonuses for volunteering that brings people together (coins.models.BonusRule): which
rules a confirmation meets. coins.bonuses writes each award once, under its key, so a
confirmation run twice (or two at once) awards nothing more. Memos are the volunteer's
statement lines: they name the opportunity, the group and the day, never another person."""

from datetime import date

from django.utils import timezone

from accounts.models import User
from coins.bonuses import bonus_award
from coins.models import BonusRule, Scheme
from marketplace.board.models import Hours, Shift, Signup
from places.selectors import ward_of


def bonuses_award(*, shift: Shift, confirmed: list[Hours]) -> None:
    """Award each bonus rule the newly confirmed hours on this shift meet. Called by
    hours_confirm inside its transaction, after every record is confirmed."""
    if not confirmed:
        return
    scheme = Scheme.objects.get(pk=shift.opportunity.scheme_id)  # the rules as they are now
    if not any(_coins(scheme, rule) for rule in BonusRule):
        return
    award = _Awarder(scheme, shift, actor=confirmed[0].decided_by)
    for hours in confirmed:
        award.first_or_new_group(hours)
        award.outside_ward(hours)
    came = {
        h.signup.user_id: h.signup
        for h in Hours.objects.filter(signup__shift=shift, status=Hours.State.CONFIRMED)
        .select_related("signup__user")
        .order_by("pk")
    }
    award.friends(came, newly={h.signup_id for h in confirmed})
    award.mixed_ages(came)


def _coins(scheme: Scheme, rule: str) -> int:
    return int(getattr(scheme, f"bonus_{rule}"))


class _Awarder:
    """One confirmation's awards: the scheme, the shift and what the memos say."""

    def __init__(self, scheme: Scheme, shift: Shift, *, actor: User | None) -> None:
        self.scheme, self.shift, self.actor = scheme, shift, actor
        self.day: date = timezone.localtime(shift.start).date()
        self.title = shift.opportunity.title
        self.when = f"{self.day:%-d %b}"

    def give(self, rule: BonusRule, user: User, key: str, memo: str) -> None:
        coins = _coins(self.scheme, rule)
        if coins > 0:
            bonus_award(
                scheme=self.scheme,
                user=user,
                rule=rule,
                coins=coins,
                key=key,
                memo=memo,
                on=self.day,
                actor=self.actor,
            )

    def first_or_new_group(self, hours: Hours) -> None:
        if not (self.scheme.bonus_first_session or self.scheme.bonus_new_group):
            return
        user, group = hours.signup.user, self.shift.opportunity.group
        before = Hours.objects.filter(
            signup__user=user,
            status=Hours.State.CONFIRMED,
            signup__shift__opportunity__scheme=self.scheme,
        ).exclude(pk=hours.pk)
        if not before.exists():
            self.give(
                BonusRule.FIRST_SESSION,
                user,
                f"bonus:first_session:{self.scheme.pk}:{user.pk}",
                f"Bonus: your first ever session, {self.title}, {self.when}",
            )
        elif not before.filter(signup__shift__opportunity__group=group).exists():
            self.give(
                BonusRule.NEW_GROUP,
                user,
                f"bonus:new_group:{group.pk}:{user.pk}",
                f"Bonus: your first session with {group.name}, {self.when}",
            )

    def outside_ward(self, hours: Hours) -> None:
        user, ward_id = hours.signup.user, self.shift.opportunity.ward_id
        if not self.scheme.bonus_outside_ward or ward_id is None or not user.postcode:
            return
        home = ward_of(user.postcode)
        if home is not None and home.pk != ward_id:
            self.give(
                BonusRule.OUTSIDE_WARD,
                user,
                f"bonus:outside_ward:{hours.pk}",
                f"Bonus: a shift outside your own ward, {self.title}, {self.when}",
            )

    def friends(self, came: dict[int, Signup], *, newly: set[int]) -> None:
        """Someone an invite brought, and the friend who sent it, both confirmed on this
        shift: whichever of the two is confirmed second completes the pair."""
        if not self.scheme.bonus_friend:
            return
        memo = f"Bonus: you and a friend both came to {self.title}, {self.when}"
        for friend in came.values():
            host = came.get(friend.brought_by_id) if friend.brought_by_id else None
            if host is None or host.pk == friend.pk or not {friend.pk, host.pk} & newly:
                continue
            self.give(BonusRule.FRIEND, friend.user, f"bonus:friend:{friend.pk}:friend", memo)
            self.give(BonusRule.FRIEND, host.user, f"bonus:friend:{friend.pk}:host", memo)

    def mixed_ages(self, came: dict[int, Signup]) -> None:
        """Everyone confirmed on the shift, not only the newly confirmed: two or more known
        age bands (on the shift's day) and each with a known band gets it."""
        if not self.scheme.bonus_mixed_ages:
            return
        bands = {s.user_id: s.user.age_band(on=self.day) for s in came.values()}
        known = {user_id: band for user_id, band in bands.items() if band}
        if len(set(known.values())) < 2:
            return
        memo = f"Bonus: a shift where different ages met, {self.title}, {self.when}"
        for user_id in known:
            key = f"bonus:mixed_ages:{self.shift.pk}:{user_id}"
            self.give(BonusRule.MIXED_AGES, came[user_id].user, key, memo)
