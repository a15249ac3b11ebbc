"""Every kind of notification, what it is called, and how it reaches people by default.

A person's own choices (NotificationPreference) override these; a kind missing from
here still works, shown in the page only."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Channels:
    """Where one notification goes: the notification centre, email, web push."""

    in_page: bool
    email: bool
    push: bool


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    section: str
    email: bool = False
    push: bool = False
    # Always e-mailed, whatever the person chose (a receipt): no unsubscribe link, and the
    # preferences page does not offer to turn its e-mail off.
    always_email: bool = False

    @property
    def defaults(self) -> Channels:
        return Channels(in_page=True, email=self.email or self.always_email, push=self.push)


VOLUNTEERING = "Volunteering"
COINS = "Coins"
ORGANISING = "Running a group"
SHOP = "Running a shop"
COUNCIL = "Council"
SECTIONS = [VOLUNTEERING, COINS, ORGANISING, SHOP, COUNCIL]

_ALL = [
    Kind("signup_confirmed", "You got a place on a shift", VOLUNTEERING),
    Kind("signup_waitlisted", "You joined a waiting list", VOLUNTEERING),
    Kind(
        "signup_promoted",
        "A place came up for you from the waiting list",
        VOLUNTEERING,
        email=True,
        push=True,
    ),
    Kind("shift_changed", "A shift you signed up to changed", VOLUNTEERING, email=True, push=True),
    Kind(
        "shift_cancelled",
        "A shift you signed up to was cancelled",
        VOLUNTEERING,
        email=True,
        push=True,
    ),
    Kind("shift_reminder", "Reminders before your shifts", VOLUNTEERING, email=True, push=True),
    Kind("shift_message", "Messages from organisers", VOLUNTEERING, email=True),
    Kind("hours_confirmed", "Your hours were confirmed", VOLUNTEERING, email=True),
    Kind("hours_rejected", "Your hours were not confirmed", VOLUNTEERING, email=True),
    Kind("saved_search_match", "New opportunities for a search you saved", VOLUNTEERING),
    Kind("pulse", "A short question after your shift", VOLUNTEERING, email=True),
    Kind("dbs_expiring", "Your DBS check will soon stop counting", VOLUNTEERING, email=True),
    Kind("coins_spent", "You paid with coins", COINS, push=True),
    Kind("coins_received", "Someone gave you coins", COINS, push=True),
    Kind("coins_refunded", "A shop gave your coins back", COINS),
    Kind("coins_expiring", "Your coins will expire soon", COINS, email=True),
    Kind("coins_expired", "Your coins expired", COINS),
    Kind("gift_returned", "A gift nobody claimed came back to you", COINS),
    Kind("bonus_awarded", "A bonus for bringing people together", COINS),
    Kind("sponsorship_receipt", "Receipts for your sponsorships", COINS, always_email=True),
    Kind("hours_claimed", "Volunteers claimed hours for you to approve", ORGANISING),
    Kind(
        "dbs_expiring_volunteer",
        "A volunteer’s DBS check will soon stop counting",
        ORGANISING,
        email=True,
    ),
    Kind("group_verified", "The council verified your group", ORGANISING, email=True),
    Kind("group_rejected", "The council did not verify your group", ORGANISING, email=True),
    Kind("sale_made", "A sale at your till", SHOP),
    Kind("sale_refunded", "A sale at your till was refunded", SHOP),
    Kind("retailer_verified", "The council verified your shop", SHOP, email=True),
    Kind("retailer_rejected", "The council did not verify your shop", SHOP, email=True),
    Kind("group_pending", "A community group is waiting for verification", COUNCIL),
    Kind("retailer_pending", "A shop is waiting for verification", COUNCIL),
]
KINDS: dict[str, Kind] = {kind.key: kind for kind in _ALL}


def kind_for(key: str) -> Kind:
    """The registered kind, or one shown in the page only (the safe default for a
    kind someone added to notify() without registering it here)."""
    known = KINDS.get(key)
    if known is not None:
        return known
    return Kind(key, key.replace("_", " ").capitalize(), VOLUNTEERING)
