"""What a sponsor's money helped: confirmed volunteer hours in the groups they funded."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum

from coins.models import Account, Sponsorship
from marketplace.models import CommunityGroup, Hours


def sponsorship_minutes(sponsorship: Sponsorship) -> int:
    """Confirmed minutes on the funded group's shifts since the sponsorship (for the
    scheme's fund, on every shift of the scheme)."""
    hours = Hours.objects.filter(
        status=Hours.State.CONFIRMED, signup__shift__start__gte=sponsorship.created
    )
    account = sponsorship.account
    if account.kind == Account.Kind.GROUP:
        if account.owner_type_id != ContentType.objects.get_for_model(CommunityGroup).pk:
            return 0
        hours = hours.filter(signup__shift__opportunity__group_id=account.owner_id)
    else:
        hours = hours.filter(signup__shift__opportunity__scheme_id=sponsorship.scheme_id)
    return int(hours.aggregate(total=Sum("minutes"))["total"] or 0)


def hours_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"
