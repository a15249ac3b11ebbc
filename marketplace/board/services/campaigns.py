"""The council's campaigns: made and changed by a scheme's admins."""

from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from marketplace.board.models import Campaign
from marketplace.organisations import NotAllowed


def campaign_save(*, campaign: Campaign, by: User) -> Campaign:
    """Create or change a campaign of a scheme the person runs. A new one gets a slug
    from its name, kept afterwards so that its address stays the same."""
    if not by.has_perm("coins.administer_scheme", campaign.scheme):
        raise NotAllowed("Only the scheme's admins can run its campaigns.")
    with transaction.atomic():
        if not campaign.slug:
            campaign.slug = _free_slug(campaign.name)
        campaign.save()
    return campaign


def _free_slug(name: str) -> str:
    """A slug no other campaign has, in any scheme: the page's address is /campaigns/<slug>/."""
    base = slugify(name)[:50] or "campaign"
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
