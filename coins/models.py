"""The Citizen-Coin ledger: schemes, accounts, transfers and their entries.

Double-entry and append-only. Amounts are integers: coins, or pence for GBP. The
guarantees live in PostgreSQL (constraints and triggers); `coins.services.transfer_post`
is the one way rows get written.
"""

from typing import Any

import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q

BONUS_HELP = "Coins, 0 for none. A participation-only scheme gives a badge instead."


def truncate_refused(name: str) -> pgtrigger.Trigger:
    """A statement trigger refusing TRUNCATE, which fires no row trigger, so the append-only
    Protect triggers never see it; it fires too when the TRUNCATE comes by CASCADE from
    another table. Only a session with `citizencoin.allow_truncate = on` gets through: the
    test suite's, whose flush empties every table between transactional tests."""
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.Before,
        operation=pgtrigger.Truncate,
        func="""
        IF current_setting('citizencoin.allow_truncate', true) IS DISTINCT FROM 'on' THEN
            RAISE EXCEPTION 'cannot truncate %: its rows are kept for good', TG_TABLE_NAME;
        END IF;
        RETURN NULL;
        """,
    )


class BonusRule(models.TextChoices):
    """What a bonus rewards; the scheme's field for each is `bonus_<value>`."""

    FIRST_SESSION = "first_session", "Your first ever session"
    NEW_GROUP = "new_group", "Your first session with a group new to you"
    OUTSIDE_WARD = "outside_ward", "A shift outside your own ward"
    FRIEND = "friend", "You and a friend both came"
    MIXED_AGES = "mixed_ages", "A shift where different ages met"


class Scheme(models.Model):
    """One town's programme: its coin, its rules and its admins."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    coin_name = models.CharField(
        max_length=40, default="Citizen Coin", help_text="One coin's name: “1 Bracken”."
    )
    coin_name_plural = models.CharField(
        max_length=40,
        blank=True,
        help_text="More than one: “12 Brackens”. Leave blank to add an s to the name.",
    )
    coins_per_hour = models.PositiveIntegerField(
        default=10, help_text="Coins minted for each confirmed hour, pro rata by the minute."
    )
    daily_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most coins a volunteer can earn for one day's work."
    )
    weekly_cap = models.PositiveIntegerField(
        null=True, blank=True, help_text="Most coins a volunteer can earn for one week's work."
    )
    expiry_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Coins in a wallet with no movement for this many months expire. "
        "Blank: they never expire.",
    )
    coin_value_pence = models.PositiveIntegerField(
        null=True, blank=True, help_text="What a coin is worth to a shop when settled."
    )
    participation_only = models.BooleanField(
        default=False, help_text="Count hours but mint no coins."
    )
    code_minutes = models.PositiveSmallIntegerField(
        default=5, help_text="How long a resident's code to pay at a till stays valid."
    )
    refund_days = models.PositiveSmallIntegerField(
        default=14, help_text="How long after a sale a shop may refund it."
    )
    hour_value_pence = models.PositiveIntegerField(
        "value of a volunteer hour, in pence",
        null=True,
        blank=True,
        help_text="The social value reports give each confirmed hour. Blank: none shown.",
    )
    hour_value_source = models.CharField("where that value comes from", max_length=300, blank=True)
    wellbeing_value_pence = models.PositiveIntegerField(
        "wellbeing value of a regular volunteer for a year, in pence",
        null=True,
        blank=True,
        help_text="For each person who gave time in at least 3 months of the range, pro "
        "rata. Blank: none shown.",
    )
    wellbeing_value_source = models.CharField(
        "where that value comes from", max_length=300, blank=True
    )
    privacy_k = models.PositiveSmallIntegerField(
        "smallest count of people shown",
        default=10,
        help_text="Reports show a count of people under this as 'fewer than' it (the ONS "
        "Longitudinal Study's rule is 10).",
    )
    round_to_five = models.BooleanField(
        "round counts of people to the nearest 5",
        default=False,
        help_text="Makes it harder still to work a person out by comparing two reports.",
    )
    # Bonuses for volunteering that brings people together (coins.models.BonusRule):
    # each is its own transfer, 0 turns it off; a participation-only scheme gives a badge.
    bonus_first_session = models.PositiveIntegerField(
        "bonus for a first ever session", default=0, help_text=BONUS_HELP
    )
    bonus_new_group = models.PositiveIntegerField(
        "bonus for a first session with a new group", default=0, help_text=BONUS_HELP
    )
    bonus_outside_ward = models.PositiveIntegerField(
        "bonus for a shift outside your own ward", default=0, help_text=BONUS_HELP
    )
    bonus_friend = models.PositiveIntegerField(
        "bonus for bringing a friend (both attend)", default=0, help_text=BONUS_HELP
    )
    bonus_mixed_ages = models.PositiveIntegerField(
        "bonus for a shift that mixed age bands", default=0, help_text=BONUS_HELP
    )
    bonus_monthly_cap = models.PositiveIntegerField(
        "most bonus coins a volunteer can get in a month",
        null=True,
        blank=True,
        help_text="Blank: no limit. Counted apart from the daily and weekly limits.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(coins_per_hour__lte=1000), name="coins_scheme_rate_sane"
            ),
            models.CheckConstraint(
                condition=Q(bonus_first_session__lte=1000)
                & Q(bonus_new_group__lte=1000)
                & Q(bonus_outside_ward__lte=1000)
                & Q(bonus_friend__lte=1000)
                & Q(bonus_mixed_ages__lte=1000),
                name="coins_scheme_bonus_sane",
            ),
            models.CheckConstraint(
                condition=Q(code_minutes__gte=1) & Q(code_minutes__lte=60),
                name="coins_scheme_code_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(privacy_k__gte=2) & Q(privacy_k__lte=100),
                name="coins_scheme_privacy_k_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def coin_plural(self) -> str:
        """The coin's name for more than one: the plural set, or the name with an s."""
        return self.coin_name_plural or f"{self.coin_name}s"

    def coins(self, amount: int) -> str:
        """An amount in the scheme's coin, with the right plural: "1 Bracken", "12 Brackens"."""
        return f"{amount:,} {self.coin_name if abs(amount) == 1 else self.coin_plural}"


class SchemeAdmin(models.Model):
    """A council officer who runs a scheme."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="admin_memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scheme_admin_memberships"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "user"], name="coins_scheme_admin_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} runs {self.scheme}"


class Currency(models.TextChoices):
    COIN = "COIN", "coins"
    GBP = "GBP", "pence"


# A shop's coins arrive across this many accounts (its parts), each sale in the part
# its payer's wallet falls to, so that sales paid at the same moment do not queue on
# one row: each sale's entry moves its account's balance, and holds that row until it
# commits. The shop's coins are the sum of its parts; settlement takes from them all.
RETAILER_PARTS = 8


class Account(models.Model):
    """Where an amount of one currency sits. A person's or an organisation's account
    points at its owner; the ledger rows themselves carry no personal data."""

    class Kind(models.TextChoices):
        WALLET = "wallet", "Resident wallet"
        GROUP = "group", "Community group"
        RETAILER = "retailer", "Retailer"
        ISSUANCE = "issuance", "Coins issued (system)"
        EXPIRY = "expiry", "Coins expired (system)"
        FUND = "fund", "GBP fund"
        CLEARING = "clearing", "Payments received through Stripe (system)"
        RETIRED = "retired", "Coins settled and retired (system)"
        PAID_OUT = "paid_out", "GBP paid out (system)"
        # Owned by the giver: coins given to an e-mail address nobody has joined with yet.
        HELD = "held", "Gifts waiting to be claimed"

    # System accounts are the scheme's own side of each movement and may go negative:
    # issuance holds minus everything ever minted, clearing minus all money received.
    # The fund (sponsors' money) and every owned account never go below zero.
    SYSTEM_KINDS = (Kind.ISSUANCE, Kind.EXPIRY, Kind.CLEARING, Kind.RETIRED, Kind.PAID_OUT)
    OWNERLESS_KINDS = (*SYSTEM_KINDS, Kind.FUND)

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    currency = models.CharField(max_length=4, choices=Currency.choices, default=Currency.COIN)
    # No database foreign key to the owner: erasing a person must never touch the ledger.
    owner_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_id = models.BigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    balance = models.BigIntegerField(default=0)
    part = models.PositiveSmallIntegerField(default=0)  # 0 but for a shop's takings
    # Where money leaves the scheme for this account's owner: a retailer's GBP payable
    # holds its Stripe Connect account id ("acct_…"). Blank: paid by bank, marked by hand.
    external_ref = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0)
                | Q(kind__in=["issuance", "expiry", "clearing", "retired", "paid_out"]),
                name="coins_account_no_overdraft",
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=["issuance", "expiry", "clearing", "retired", "paid_out", "fund"],
                    owner_id__isnull=True,
                )
                | Q(owner_id__isnull=False, owner_type__isnull=False),
                name="coins_account_owner_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["scheme", "kind", "currency", "owner_type", "owner_id", "part"],
                nulls_distinct=False,
                name="coins_account_one_per_owner",
            ),
            models.CheckConstraint(
                condition=Q(part=0) | Q(kind="retailer", currency="COIN", part__lt=RETAILER_PARTS),
                name="coins_account_parts_for_takings",
            ),
        ]
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="coins_account_owner_idx")]
        triggers = [
            pgtrigger.Protect(name="coins_account_never_deleted", operation=pgtrigger.Delete),
            truncate_refused("coins_account_no_truncate"),
            # The cached balance moves only with an entry (coins_entry_keeps_balances,
            # a trigger one level down): `UPDATE coins_account SET balance = 500` fails.
            pgtrigger.Trigger(
                name="coins_account_balance_by_entries_only",
                when=pgtrigger.Before,
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition('OLD."balance" IS DISTINCT FROM NEW."balance"'),
                func="""
                IF pg_trigger_depth() < 2 THEN
                    RAISE EXCEPTION 'the balance of account % changes only by its entries',
                        OLD.id USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.get_kind_display()} #{self.pk}"
        if self.kind == self.Kind.RETAILER and self.currency == Currency.COIN:
            return f"{name}, takings part {self.part + 1} of {RETAILER_PARTS}"
        return name

    @property
    def is_system(self) -> bool:
        return self.kind in self.SYSTEM_KINDS


class Transfer(models.Model):
    """One business event that moves amounts: never changed, only reversed."""

    class Kind(models.TextChoices):
        MINT = "mint", "Coins for volunteering"
        SPEND = "spend", "Spent"
        DONATION = "donation", "Gift"
        REVERSAL = "reversal", "Reversal"
        EXPIRY = "expiry", "Expired"
        SPONSORSHIP = "sponsorship", "Sponsorship received"
        SETTLEMENT = "settlement", "Shop settlement"
        PAYOUT = "payout", "Paid out to a shop"
        BONUS = "bonus", "Bonus for bringing people together"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    key = models.CharField("idempotency key", max_length=120, unique=True)
    # What was asked for, so that the same key sent with other amounts is a conflict.
    fingerprint = models.CharField(max_length=64)
    memo = models.CharField(max_length=300, blank=True)
    # The day the event belongs to (the shift's date for a mint): caps count by it.
    value_date = models.DateField()
    # No database foreign key: erasing a person must never touch the ledger.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["scheme", "kind", "value_date"], name="coins_transfer_kind")
        ]
        triggers = [
            pgtrigger.Protect(
                name="coins_transfer_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            truncate_refused("coins_transfer_no_truncate"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Entry(models.Model):
    """One leg of a transfer: a signed amount on one account, with the balance after it."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField()
    balance_after = models.BigIntegerField()

    class Meta:
        verbose_name_plural = "entries"
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="coins_entry_not_zero"),
        ]
        indexes = [models.Index(fields=["account", "id"], name="coins_entry_account_idx")]
        triggers = [
            pgtrigger.Protect(
                name="coins_entry_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            truncate_refused("coins_entry_no_truncate"),
            # The database keeps the cached balances: each entry moves its account's
            # balance and records the result, under the lock transfer_post holds.
            pgtrigger.Trigger(
                name="coins_entry_keeps_balances",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert,
                func="""
                UPDATE coins_account SET balance = balance + NEW.amount
                    WHERE id = NEW.account_id
                    RETURNING balance INTO NEW.balance_after;
                RETURN NEW;
                """,
            ),
            # Checked at commit, once every leg of the transfer is written.
            pgtrigger.Trigger(
                name="coins_entry_transfer_balances",
                when=pgtrigger.After,
                operation=pgtrigger.Insert,
                timing=pgtrigger.Deferred,
                func="""
                IF EXISTS (
                    SELECT 1 FROM coins_entry e JOIN coins_account a ON a.id = e.account_id
                    WHERE e.transfer_id = NEW.transfer_id
                    GROUP BY a.currency HAVING SUM(e.amount) <> 0
                ) THEN
                    RAISE EXCEPTION 'transfer % does not balance', NEW.transfer_id
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NULL;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} on account {self.account_id}"


class AuditRecord(models.Model):
    """What a scheme admin did to the ledger, by whom, when and why. Append-only."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="audit_records")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(max_length=40)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, null=True, related_name="+")
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        triggers = [
            pgtrigger.Protect(
                name="coins_audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            truncate_refused("coins_audit_no_truncate"),
        ]

    def __str__(self) -> str:
        return f"{self.action} by user {self.actor_id}"


class SchemeChange(models.Model):
    """A scheme admin changed one of the scheme's rules: who, when, from what to what, and
    why. Append-only, so the history on the settings page is the whole history."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # erasing an officer leaves the history as it was
        related_name="+",
    )
    field = models.CharField(max_length=40)
    old = models.CharField(max_length=300, blank=True)
    new = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        triggers = [
            pgtrigger.Protect(
                name="coins_scheme_change_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
            truncate_refused("coins_scheme_change_no_truncate"),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.old} -> {self.new}"


class Bonus(models.Model):
    """A bonus rule met, once per idempotency key: coins through its own transfer, or
    a badge (no transfer) where the scheme gives no coins or its monthly cap is spent."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="bonuses")
    # No database foreign key, as on a transfer: erasing a person never touches these.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    rule = models.CharField(max_length=20, choices=BonusRule.choices)
    key = models.CharField("idempotency key", max_length=120, unique=True)
    coins = models.PositiveIntegerField(default=0)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What the volunteer reads on their statement, as the transfer's memo says it.
    memo = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "bonuses"
        constraints = [
            models.CheckConstraint(
                condition=Q(coins=0, transfer__isnull=True)
                | Q(coins__gt=0, transfer__isnull=False),
                name="coins_bonus_coins_have_transfer",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="coins_bonus_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            truncate_refused("coins_bonus_no_truncate"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} for user {self.user_id}"


def owner_key(owner: models.Model) -> dict[str, Any]:
    """The filter that finds accounts belonging to one owner."""
    return {"owner_type": ContentType.objects.get_for_model(owner), "owner_id": owner.pk}


class ExpiryNotice(models.Model):
    """A warning that a wallet's coins will expire, sent once per quiet spell and step."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    # The wallet's last entry when warned: new activity starts a new spell.
    last_entry_id = models.BigIntegerField()
    days_before = models.PositiveSmallIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "last_entry_id", "days_before"], name="coins_expiry_notice_once"
            ),
        ]

    def __str__(self) -> str:
        return f"expiry warning {self.days_before} days before, account {self.account_id}"


class PendingGift(models.Model):
    """Coins given to an e-mail address that nobody has joined with (so that the giver
    never learns whether an address has an account): held in the giver's held-gifts
    account until someone joins with that address and confirms it, or returned to them
    (the hold reversed) once `expires` passes. coins.gifts moves them."""

    class State(models.TextChoices):
        HELD = "held", "Waiting to be claimed"
        CLAIMED = "claimed", "Claimed"
        RETURNED = "returned", "Returned to the giver"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="+")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Lower case; blanked once the gift is claimed or returned (kept no longer than needed).
    email = models.EmailField(blank=True)
    amount = models.PositiveIntegerField()
    hold = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="+")
    settled = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.HELD)
    expires = models.DateTimeField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="coins_pending_gift_amount"),
            models.CheckConstraint(
                condition=Q(state="held", settled__isnull=True, email__gt="")
                | (~Q(state="held") & Q(settled__isnull=False, email="")),
                name="coins_pending_gift_settled_once",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "email"], name="coins_pending_gift_email"),
            models.Index(fields=["state", "expires"], name="coins_pending_gift_due"),
        ]

    def __str__(self) -> str:
        return f"pending gift of {self.amount} ({self.state})"


# Funding in GBP: sponsorship received through Stripe, and settling retailers.


class StripeEvent(models.Model):
    """Each Stripe webhook event, stored once by its id (Stripe may send it again, late
    or out of order), with what became of it."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        triggers = [truncate_refused("coins_stripe_event_no_truncate")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class Sponsorship(models.Model):
    """A one-off payment into a scheme's GBP fund or a group's GBP account."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for the payment"
        PAID = "paid", "Paid"
        REFUNDED = "refunded", "Refunded"
        FAILED = "failed", "Payment failed"
        CANCELLED = "cancelled", "Cancelled"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="sponsorships")
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="sponsorships",
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="sponsorships")
    amount_pence = models.PositiveIntegerField()
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    status = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receipt_sent_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_pence__gte=100) & Q(amount_pence__lte=1_000_000),
                name="coins_sponsorship_amount_range",
            ),
            # A payment cancelled here is never credited, however late Stripe's word comes.
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(transfer__isnull=True),
                name="coins_sponsorship_cancelled_uncredited",
            ),
        ]
        triggers = [truncate_refused("coins_sponsorship_no_truncate")]

    def __str__(self) -> str:
        return f"£{self.amount_pence / 100:.2f} to account {self.account_id}"


class Settlement(models.Model):
    """Coins a retailer took, retired and turned into GBP it is owed, at the scheme's
    coin value; `pence` of it was covered by the fund, the rest is still owed."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="settlements")
    retailer_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    coins = models.PositiveIntegerField()
    coin_value_pence = models.PositiveIntegerField()
    pence = models.PositiveIntegerField()
    retire = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="+")
    payable = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pence=F("coins") * F("coin_value_pence")),
                name="coins_settlement_pence_match",
            ),
        ]
        triggers = [truncate_refused("coins_settlement_no_truncate")]

    def __str__(self) -> str:
        return f"{self.coins} coins for £{self.pence / 100:.2f}"


class Payout(models.Model):
    """A request to pay a retailer what it is owed, through a PayoutProvider."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="payouts")
    payable_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    pence = models.PositiveIntegerField()
    key = models.CharField(max_length=120, unique=True)
    provider = models.CharField(max_length=20)
    reference = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why the provider refused it, in words for the council officer.
    error = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One request in flight per payable: a second run finds it and asks again for nothing.
            models.UniqueConstraint(
                fields=["payable_account"],
                condition=Q(status="requested"),
                name="coins_payout_one_open",
            ),
        ]
        triggers = [truncate_refused("coins_payout_no_truncate")]

    def __str__(self) -> str:
        return f"payout of £{self.pence / 100:.2f} ({self.status})"


# Where a resident lives, and who is asked to run a new town (coins.residence,
# coins.platform).


class Residence(models.Model):
    """The scheme a resident belongs to: its board, rewards and wallet are the ones they
    see. Set at sign-up from the postcode's ward (else the only scheme); they may change
    it. Coins already earned elsewhere stay in that town's wallet, still theirs."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="residence",
    )
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="residences")
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"user {self.user_id} lives in {self.scheme}"


class SchemeAdminInvite(models.Model):
    """A platform operator asked an e-mail address with no account yet to run a scheme:
    whoever joins with it and confirms it becomes the scheme's admin."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="admin_invites")
    email = models.EmailField()  # lower case
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "email"],
                condition=Q(accepted_at__isnull=True),
                name="coins_scheme_admin_invite_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} asked to run {self.scheme}"
