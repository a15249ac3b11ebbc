"""The council's campaigns: made and changed by a scheme's admins."""

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import User
from marketplace.board.models import Campaign
from marketplace.organisations import NotAllowed


def campaign_save(*, campaign: Campaign, by: User) -> Campaign:
    """Create or change a campaign of a scheme the person runs. A new one gets a slug
    from its name, kept afterwards so that its address stays the same."""
    if not by.has_perm("coins.administer_scheme", campaign.scheme):
        raise NotAllowed("Only the scheme's admins can run its campaigns.")
    if campaign.slug:
        campaign.save()
        return campaign
    for _ in range(5):
        campaign.slug = _free_slug(campaign.name)
        try:
            with transaction.atomic():
                campaign.save()
            return campaign
        except IntegrityError:  # another officer took that slug this moment: the next one
            continue
    raise NotAllowed("Another campaign of that name was just made; try again.")


def _free_slug(name: str) -> str:
    """A slug no other campaign has, in any scheme: the page's address is /campaigns/<slug>/."""
    base = slugify(name)[:50] or "campaign"
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
