"""What a sponsor's money helped: confirmed volunteer hours in the groups they funded,
counted by the app that has the groups (coins.owners)."""

from django.contrib.contenttypes.models import ContentType

from coins.models import Account, Sponsorship
from coins.owners import groups, minutes_since


def sponsorship_minutes(sponsorship: Sponsorship) -> int:
    """Confirmed minutes on the funded group's shifts since the sponsorship (for the
    scheme's fund, on every shift of the scheme)."""
    account = sponsorship.account
    group_id = None
    if account.kind == Account.Kind.GROUP:
        if account.owner_type_id != ContentType.objects.get_for_model(groups().model).pk:
            return 0
        group_id = account.owner_id
    return minutes_since(
        scheme_id=sponsorship.scheme_id, group_id=group_id, since=sponsorship.created
    )


def hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
