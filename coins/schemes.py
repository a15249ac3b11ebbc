"""Changing a scheme's rules: each changed field is saved and recorded (who, when, old,
new, why) in one transaction, under a lock on the scheme."""

from django.db import transaction

from accounts.models import User
from coins.models import Scheme, SchemeChange
from coins.services import LedgerError

# The rules the council sets on the settings page, in its order, as the history names them.
RULE_NAMES = {
    "coin_name": "the coin's name",
    "coin_name_plural": "the coin's name for more than one",
    "coins_per_hour": "coins for each hour",
    "daily_cap": "the daily limit",
    "weekly_cap": "the weekly limit",
    "expiry_months": "months before coins expire",
    "coin_value_pence": "a coin's value to shops (pence)",
    "code_minutes": "minutes a till code lasts",
    "refund_days": "days a shop may refund",
    "privacy_k": "the smallest count of people shown",
    "round_to_five": "counts of people rounded to the nearest 5",
    "hour_value_pence": "the value of an hour (pence)",
    "hour_value_source": "the source of the hour's value",
    "wellbeing_value_pence": "the wellbeing value of a regular volunteer (pence)",
    "wellbeing_value_source": "the source of the wellbeing value",
    "bonus_first_session": "the bonus for a first ever session",
    "bonus_new_group": "the bonus for a first session with a new group",
    "bonus_outside_ward": "the bonus for a shift outside the volunteer's ward",
    "bonus_friend": "the bonus for bringing a friend",
    "bonus_mixed_ages": "the bonus for a shift that mixed age bands",
    "bonus_monthly_cap": "the monthly limit on bonus coins",
}
RULES = list(RULE_NAMES)


def scheme_rules_change(
    *, scheme: Scheme, by: User, rules: dict[str, int | str | None], reason: str
) -> list[SchemeChange]:
    """Save the rules that differ from the scheme's, each with its history row."""
    if not by.has_perm("coins.administer_scheme", scheme):
        raise LedgerError("Only the scheme's admins can change its rules.")
    reason = reason.strip()
    if not reason:
        raise LedgerError("Say why, so that the history explains the change.")
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        changed = {
            name: value
            for name, value in rules.items()
            if name in RULES and getattr(locked, name) != value
        }
        changes = [
            SchemeChange(
                scheme=locked,
                actor=by,
                field=name,
                old=_text(getattr(locked, name)),
                new=_text(value),
                reason=reason,
            )
            for name, value in changed.items()
        ]
        for name, value in changed.items():
            setattr(locked, name, value)
        if changed:
            locked.save(update_fields=list(changed))
            SchemeChange.objects.bulk_create(changes)
    return changes


def _text(value: int | str | None) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)
