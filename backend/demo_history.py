"""A year of the demo town's past, so the council's impact dashboard has something to show.

About 250 residents, each with a home postcode in the sample town, volunteer on past
shifts of the demo groups' opportunities: some every week, some now and then, some once.
Most come, a few do not; organisers confirm the hours the evening after (and about two
in five answer the pulse it offers them, at most once a fortnight); residents spend
their coins at the demo shops, a few give some to a group, and coins that lie still for
the scheme's months expire. Numbers grow over the year, with a summer bump.

Coins move only through the real services: `hours_confirm` mints, the till's
`redemption_code_create`/`redemption_confirm` (and `redemption_refund`) spend,
`gift_give` gives and `coins_expiry_run` expires. Those stamp their rows with
`timezone.now()`, and the ledger's rows are append-only (no date can be corrected
afterwards), so each step runs on a clock set back to its moment (`_clock`).

The board's services refuse past dates, so shifts and sign-ups are written in bulk, keeping
what `signup_create` keeps: places within capacity, one sign-up per person per shift (and
here per day, so none overlap), adults only, no opportunity that needs a DBS check, and
attendance marked only on confirmed places.

The same every time (random.Random(2026)), dated back from the day it is first loaded,
and loaded once: the first history resident is the marker. The demo logins take no part,
except that the organiser confirms their group's hours and the bakery's till takes coins.

There is no sponsorship here: the only way money is credited is Stripe's webhook."""

import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.db.models import Max
from django.utils import timezone

from accounts.models import Background, User
from cohesion.models import Item, PulseInvite
from cohesion.services import pulse_answer
from coins.expiry import add_months, coins_expiry_run
from coins.models import Account, Scheme
from coins.schemes import scheme_rules_change
from coins.services import LedgerError, account_for
from coins.wallets import gift_give
from marketplace.board.models import CommunityGroup, GroupOrganiser, Opportunity, Shift, Signup
from marketplace.board.services.hours import hours_confirm
from marketplace.organisations import NotAllowed, Status
from marketplace.rewards.models import Offer, Retailer, RetailerStaff
from marketplace.rewards.services.redemptions import (
    RedemptionRefused,
    redemption_code_create,
    redemption_confirm,
    redemption_refund,
)
from notifications.services import notifications_mark_read
from outbox.models import OutboxMessage
from places.models import Postcode

Progress = Callable[[str], None]
SEED = 2026
FOUNDERS = 20  # regulars from the first week: the scheme began with the groups' own
VISITORS = 8  # came to one shift at the launch and never spent: their coins expire
JOINERS = 222  # residents who start during the year, more of them as it goes on
REGULAR, OCCASIONAL, ONCE = "regular", "occasional", "once"
# How likely each kind is to be picked for a place, against the others.
WEIGHT = {REGULAR: 6.0, OCCASIONAL: 1.2, ONCE: 3.0}
FIRST_NAMES = [
    "Amira", "Ben", "Chloe", "Dev", "Ellie", "Farah", "Gareth", "Hana", "Isaac", "Jas",
    "Kofi", "Lena", "Mo", "Nia", "Olu", "Priya", "Quinn", "Rosa", "Sami", "Tom",
    "Uma", "Vik", "Wes", "Yara", "Zoe", "Alfie", "Bea", "Cal", "Dina", "Eli",
]  # fmt: skip


@dataclass
class Resident:
    user: User
    ward_id: int | None
    joins: date
    leaves: date
    kind: str
    spends: bool  # some never get round to it, and their coins expire
    gives: bool
    coins: int = 0  # what the wallet holds, as far as this history knows
    came: bool = False
    groups: list[CommunityGroup] = field(default_factory=list)


@dataclass
class Planned:
    """A past shift and its sign-ups, before any of it is written."""

    opportunity: Opportunity
    start: datetime
    end: datetime
    capacity: int
    places: list[tuple[Resident, str]] = field(default_factory=list)  # (who, outcome)
    # Newcomers who came with a friend's invite link: their email -> the friend.
    brought: dict[str, User] = field(default_factory=dict)
    shift: Shift | None = None


CAME, MISSED, CANCELLED, UNMARKED = "came", "missed", "cancelled", "unmarked"


@dataclass
class Town:
    """What the history works with: who can act for each group and each shop."""

    scheme: Scheme
    organisers: dict[int, User]  # by group id
    staff: dict[int, User]  # by shop id
    offers: list[Offer]
    shop_wards: dict[int, int | None]
    group_accounts: dict[int, Account]


def demo_history_load(*, scheme: Scheme, progress: Progress = lambda _: None) -> None:
    """A year of volunteering, spending, gifts and expiry, once."""
    if User.objects.filter(email=_email(0)).exists():
        return
    rng = random.Random(SEED)  # noqa: S311 - the same story every time, not a secret
    today = timezone.localdate()
    start = _months_back(today, 12) - timedelta(days=21)
    progress(f"History: {start:%-d %B %Y} to yesterday")
    opportunities = _opportunities_published(scheme, start, today)
    residents = _residents(rng, scheme, start, today)
    planned = _plan(rng, opportunities, residents, start, today)
    _shifts_write(planned)
    town = _town(scheme)
    _days(rng, town, planned, residents, start, today, progress)
    # The organisers and the tills saw their gifts and sales at the time.
    for user in {*town.organisers.values(), *town.staff.values()}:
        notifications_mark_read(user=user)


# The council switched on bonuses for volunteering that brings people together three
# months ago (the rules page's history says so); the months before had none.
BONUSES = {
    "bonus_first_session": 10,
    "bonus_new_group": 5,
    "bonus_outside_ward": 5,
    "bonus_friend": 10,
    "bonus_mixed_ages": 5,
    "bonus_monthly_cap": 30,
}
BONUSES_MONTHS = 3


def demo_bonuses_on(*, scheme: Scheme) -> None:
    """The council's change of rules that turned the bonuses on, once."""
    scheme.refresh_from_db()
    if scheme.bonus_first_session:
        return
    council = User.objects.filter(scheme_admin_memberships__scheme=scheme).order_by("pk").first()
    if council is not None:
        scheme_rules_change(
            scheme=scheme,
            by=council,
            rules=dict(BONUSES),
            reason="Reward volunteering that brings people from different backgrounds together.",
        )
        scheme.refresh_from_db()


def _email(n: int) -> str:
    return f"neighbour{n}@demo.citizencoin.localhost"


def _months_back(day: date, months: int) -> date:
    return add_months(day.replace(day=1), -months)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@contextmanager
def _clock(moment: datetime) -> Iterator[None]:
    """The services run as at `moment`: every row they stamp is dated then. What they
    would send once the work commits (e-mail, pushes, live pages) is dropped, not sent a
    year late, nor left in the outbox for its relay: the notifications are stored, as if
    told at the time."""
    before = OutboxMessage.objects.aggregate(last=Max("pk"))["last"] or 0
    with (
        mock.patch("django.utils.timezone.now", return_value=moment),
        mock.patch("django.db.transaction.on_commit", _not_sent),
    ):
        try:
            yield
        finally:
            OutboxMessage.objects.filter(pk__gt=before, sent_at__isnull=True).delete()


def _not_sent(func: Callable[[], object], using: str | None = None, robust: bool = False) -> None:
    """transaction.on_commit, for the past."""


def _opportunities_published(scheme: Scheme, start: date, today: date) -> list[Opportunity]:
    """Date the demo's opportunities over the year (a third at the start, the rest one
    by one since); returns those the history's volunteers can sign up to."""
    found = list(
        Opportunity.objects.filter(
            scheme=scheme, status=Opportunity.State.PUBLISHED, published_at__isnull=True
        )
        .select_related("campaign")
        .order_by("pk")
    )
    first, days = len(found) // 3, (today - start).days - 14
    for n, opportunity in enumerate(found):
        later = 0 if n < first else 14 + days * (n - first) // max(len(found) - first, 1)
        opportunity.published_at = _at(start + timedelta(days=later), 9) - timedelta(days=3)
        Opportunity.objects.filter(pk=opportunity.pk).update(
            published_at=opportunity.published_at,
            created=opportunity.published_at - timedelta(days=1),
        )
    return [o for o in found if not o.dbs_required and o.minimum_age <= 18]


def _residents(rng: random.Random, scheme: Scheme, start: date, today: date) -> list[Resident]:
    """Founders and launch visitors from the first week, then joiners, more of them as
    the year goes on; each at home in one of the town's wards."""
    postcodes: defaultdict[int | None, list[str]] = defaultdict(list)
    homes = Postcode.objects.filter(ward__scheme=scheme).values_list("postcode", "ward_id")
    for code, ward_id in homes.order_by("pk"):
        postcodes[ward_id].append(code)
    wards = sorted(postcodes, key=lambda ward: (ward is None, ward))
    span = (today - start).days
    days = list(range(span - 7))
    weights = [_season(start + timedelta(days=d), d / span) for d in days]
    joins = [0] * (FOUNDERS + VISITORS) + sorted(rng.choices(days, weights=weights, k=JOINERS))
    residents = []
    for n, offset in enumerate(joins):
        ward = rng.choice(wards)
        kind = rng.choices([REGULAR, OCCASIONAL, ONCE], [15, 40, 45])[0]
        kind = REGULAR if n < FOUNDERS else ONCE if n < FOUNDERS + VISITORS else kind
        resident = _resident(rng, n, start + timedelta(days=offset), kind, ward)
        resident.spends = resident.spends and not FOUNDERS <= n < FOUNDERS + VISITORS
        resident.user.postcode = rng.choice(postcodes[ward])
        residents.append(resident)
    User.objects.bulk_create([r.user for r in residents])
    Background.objects.bulk_create(_backgrounds(rng, residents))
    return residents


# England and Wales at the 2021 Census, per thousand (ONS): what "About me" answers look
# like when about half the residents choose to fill it in.
ETHNIC_GROUPS = {"white": 817, "asian": 93, "black": 40, "mixed": 29, "other": 21}
RELIGIONS = {
    "christian": 462, "none": 372, "muslim": 65, "hindu": 17, "sikh": 9, "buddhist": 5,
    "jewish": 5, "other": 6, "unsaid": 59,
}  # fmt: skip


def _backgrounds(rng: random.Random, residents: list[Resident]) -> Iterator[Background]:
    for resident in residents:
        if rng.random() < 0.55:
            ethnic = rng.choices(list(ETHNIC_GROUPS), list(ETHNIC_GROUPS.values()))[0]
            religion = rng.choices(list(RELIGIONS), list(RELIGIONS.values()))[0]
            ethnic = "unsaid" if rng.random() < 0.04 else ethnic
            yield Background(user=resident.user, ethnic_group=ethnic, religion=religion)


def _resident(rng: random.Random, n: int, joins: date, kind: str, ward: int | None) -> Resident:
    name = f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {chr(ord('A') + n * 7 % 26)}."
    joined = _at(joins, 12) - timedelta(days=rng.randint(1, 20))
    user = User(
        email=_email(n),
        display_name=name,
        birth_date=date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        date_joined=joined,
        age_confirmed_at=joined,
    )
    user.set_unusable_password()  # a neighbour in the story, not a login
    months = {REGULAR: 24, OCCASIONAL: rng.randint(2, 7), ONCE: 12}[kind]
    return Resident(
        user=user,
        ward_id=ward,
        joins=joins,
        leaves=add_months(joins, months),
        kind=kind,
        spends=rng.random() < (0.5 if kind == ONCE else 0.9),
        gives=rng.random() < 0.1,
    )


def _season(day: date, through: float) -> float:
    """How busy a day is: growing through the year (0 to 1), more in summer, less at
    Christmas."""
    bump = {6: 1.35, 7: 1.45, 8: 1.35, 12: 0.8}.get(day.month, 1.0)
    return (1 + 1.0 * through) * bump


def _plan(
    rng: random.Random,
    opportunities: list[Opportunity],
    residents: list[Resident],
    start: date,
    today: date,
) -> list[Planned]:
    """The shifts week by week, and who took each place."""
    busy: set[tuple[int, date]] = set()
    planned: list[Planned] = []
    span = (today - start).days
    for week in range(0, span, 7):
        monday = start + timedelta(days=week)
        open_ = [o for o in opportunities if o.published_at and o.published_at.date() < monday]
        count = round(1.4 * _season(monday, week / span) * rng.uniform(0.85, 1.15))
        for opportunity in rng.sample(open_, min(count, len(open_))):
            day = monday + timedelta(days=rng.randrange(7))
            if day >= today:
                continue
            shift = _planned_shift(rng, opportunity, day)
            if shift.end > timezone.now():
                continue
            _places(rng, shift, residents, busy, today)
            planned.append(shift)
    for opportunity in opportunities:
        for day in _campaign_days(opportunity, start, today):
            shift = _planned_shift(rng, opportunity, day)
            _places(rng, shift, residents, busy, today)
            planned.append(shift)
    return sorted(planned, key=lambda p: p.start)


def _campaign_days(opportunity: Opportunity, start: date, today: date) -> Iterator[date]:
    """Every past day of its campaign, once it was published: a campaign gets a shift a
    day from each of its opportunities."""
    campaign = opportunity.campaign
    if campaign is None or opportunity.published_at is None:
        return
    day = max(campaign.starts_on, start, opportunity.published_at.date() + timedelta(days=1))
    while day <= campaign.ends_on and day < today - timedelta(days=1):
        yield day
        day += timedelta(days=1)


def _planned_shift(rng: random.Random, opportunity: Opportunity, day: date) -> Planned:
    n = opportunity.pk
    begins = _at(day, (9, 10, 13, 14, 18)[n % 5])
    hours = 2 + n % 2
    capacity = (4, 6, 6, 8)[n % 4] if rng.random() < 0.9 else 10
    return Planned(opportunity, begins, begins + timedelta(hours=hours), capacity)


def _places(
    rng: random.Random,
    shift: Planned,
    residents: list[Resident],
    busy: set[tuple[int, date]],
    today: date,
) -> None:
    """Fill some of the shift's places, at most one shift a day for anyone; the latest
    shifts wait for their organiser to mark who came."""
    day = shift.start.date()
    ward = shift.opportunity.ward_id
    # Efraimidis-Spirakis: a weighted sample without replacement, highest keys win.
    keyed = []
    for n, resident in enumerate(residents):
        if resident.joins <= day <= resident.leaves and (n, day) not in busy:
            if resident.kind == ONCE and resident.came:
                continue
            weight = WEIGHT[resident.kind] * (2.5 if resident.ward_id == ward else 1.0)
            weight *= 1.0 if resident.came else 4.0  # organisers make room for newcomers
            launch = FOUNDERS <= n < FOUNDERS + VISITORS  # the launch visitors come first
            keyed.append((rng.random() ** (1 / weight) + launch, n))
    fill = min(1.0, rng.uniform(0.5, 1.05) * (1.1 if day.month in (6, 7, 8) else 1.0))
    wanted = max(1, round(shift.capacity * fill))
    for _key, n in sorted(keyed, reverse=True)[:wanted]:
        resident = residents[n]
        busy.add((n, day))
        regulars = [who.user for who, _ in shift.places if who.kind == REGULAR]
        if not resident.came and regulars and rng.random() < 0.15:
            shift.brought[resident.user.email] = rng.choice(regulars)  # volunteers recruit
        resident.came = True
        roll = rng.random()
        outcome = CANCELLED if roll < 0.04 else MISSED if roll < 0.14 else CAME
        if outcome != CANCELLED and day >= today - timedelta(days=2):
            outcome = UNMARKED
        shift.places.append((resident, outcome))


def _shifts_write(planned: list[Planned]) -> None:
    """The shifts in one statement, then each shift's sign-ups as made days before it."""
    shifts = Shift.objects.bulk_create(
        Shift(opportunity=p.opportunity, start=p.start, end=p.end, capacity=p.capacity)
        for p in planned
    )
    for plan, shift in zip(planned, shifts, strict=True):
        plan.shift = shift
        lead = timedelta(days=1 + shift.pk % 9, hours=shift.pk % 11)
        with _clock(plan.start - lead):
            Signup.objects.bulk_create(
                _signup(shift, who, outcome, plan.brought.get(who.user.email))
                for who, outcome in plan.places
            )


def _signup(shift: Shift, resident: Resident, outcome: str, brought_by: User | None) -> Signup:
    if outcome == CANCELLED:
        return Signup(
            shift=shift,
            user=resident.user,
            status=Signup.State.CANCELLED,
            cancelled_at=shift.start - timedelta(hours=20),
            brought_by=brought_by,
        )
    return Signup(
        shift=shift,
        user=resident.user,
        brought_by=brought_by,
        status=Signup.State.CONFIRMED,
        attended={CAME: True, MISSED: False}.get(outcome),
        reminded_24h_at=shift.start - timedelta(hours=24),
        reminded_2h_at=shift.start - timedelta(hours=2),
    )


def _town(scheme: Scheme) -> Town:
    """An organiser for every group and a till for every shop: the demo logins where
    they have one (the organiser's gardeners, the shop's bakery), a helper elsewhere."""
    organisers, staff = {}, {}
    for group in CommunityGroup.objects.filter(scheme=scheme).order_by("pk"):
        member = GroupOrganiser.objects.filter(group=group).order_by("pk").first()
        organisers[group.pk] = member.user if member else _helper(group.slug, group)
    shops = Retailer.objects.filter(scheme=scheme).order_by("pk")
    for shop in shops:
        till = RetailerStaff.objects.filter(retailer=shop).order_by("pk").first()
        staff[shop.pk] = till.user if till else _helper(shop.slug, shop)
    offers = Offer.objects.filter(scheme=scheme, active=True, stock__isnull=True)
    groups = CommunityGroup.objects.filter(scheme=scheme, status=Status.VERIFIED)
    accounts = {
        group.pk: account_for(scheme=scheme, kind=Account.Kind.GROUP, owner=group)
        for group in groups
    }
    return Town(
        scheme=scheme,
        organisers=organisers,
        staff=staff,
        # Stock-limited offers are left alone, so the demo resident finds them all in stock.
        offers=list(offers.select_related("retailer").order_by("pk")),
        shop_wards={shop.pk: shop.ward_id for shop in shops},
        group_accounts=accounts,
    )


def _helper(slug: str, organisation: CommunityGroup | Retailer) -> User:
    user = User.objects.create_user(
        f"{slug}@helpers.demo.citizencoin.localhost", None, display_name="Sam"
    )
    if isinstance(organisation, CommunityGroup):
        GroupOrganiser.objects.create(group=organisation, user=user)
    else:
        RetailerStaff.objects.create(retailer=organisation, user=user)
    return user


def _days(
    rng: random.Random,
    town: Town,
    planned: list[Planned],
    residents: list[Resident],
    start: date,
    today: date,
    progress: Progress,
) -> None:
    """Day by day: expiry at night, shopping in the day, hours confirmed in the evening."""
    ended: dict[date, list[Planned]] = defaultdict(list)
    for plan in planned:
        ended[plan.start.date()].append(plan)
    tally: Counter[str] = Counter()
    day = start
    bonuses_from = _months_back(today, BONUSES_MONTHS)
    while day < today:
        if day == bonuses_from:
            with _clock(_at(day, 9)):
                demo_bonuses_on(scheme=town.scheme)
        if day.weekday() == 0:
            with _clock(_at(day, 3, 30)):
                expired = coins_expiry_run(today=day)["expired"]
            if expired:
                _wallets_reread(town, residents)
            tally["expired"] += expired
        _shopping(rng, town, residents, day, tally)
        for plan in ended[day - timedelta(days=1)]:
            _confirm(rng, town, plan, residents, tally)
        tally["shifts"] += len(ended[day])
        day += timedelta(days=1)
        if day.day == 1 or day == today:
            _report(progress, day - timedelta(days=1), tally)
            tally.clear()


def _wallets_reread(town: Town, residents: list[Resident]) -> None:
    """After coins expired: what each wallet holds now."""
    wallets = Account.objects.filter(scheme=town.scheme, kind=Account.Kind.WALLET)
    balances = dict(wallets.values_list("owner_id", "balance"))
    for resident in residents:
        resident.coins = balances.get(resident.user.pk, 0)


def _report(progress: Progress, day: date, tally: Counter[str]) -> None:
    progress(
        f"History {day:%Y-%m}: {tally['shifts']} shifts, {tally['hours']} hours records "
        f"confirmed, {tally['pulses']} pulses answered, {tally['sales']} sales, "
        f"{tally['gifts']} gifts, "
        f"{tally['expired']} wallets expired"
    )


def _confirm(
    rng: random.Random, town: Town, plan: Planned, residents: list[Resident], tally: Counter[str]
) -> None:
    """The organiser confirms the shift's hours the evening after: coins minted."""
    assert plan.shift is not None
    if any(outcome == UNMARKED for _who, outcome in plan.places):
        return  # still to do on the organiser's page
    organiser = town.organisers[plan.opportunity.group_id]
    signups = {s.user_id: s.pk for s in plan.shift.signups.all()}
    # Now and then someone leaves half an hour early.
    minutes = {pk: plan.shift.length_minutes - 30 for user, pk in signups.items() if user % 9 == 0}
    with _clock(_at(plan.end.date() + timedelta(days=1), 19, plan.shift.pk % 60)):
        result = hours_confirm(shift=plan.shift, minutes=minutes, by=organiser)
    by_user = {resident.user.pk: resident for resident, _ in plan.places}
    for hours in result.confirmed:
        resident = by_user[hours.signup.user_id]
        resident.coins += result.coins[hours.pk].coins
        new_group = plan.opportunity.group not in resident.groups
        if new_group:
            resident.groups.append(plan.opportunity.group)
        _pulse(rng, plan, resident, new_group, tally)
    tally["hours"] += len(result.confirmed)


# How the pulse's four points fall, 1 the most positive: near the national figures for
# getting on and belonging (81% and 62% on the agreeing side), a little better for
# people who keep coming, as the scheme hopes.
SCORES = {
    Item.GET_ON: [36, 46, 13, 5],
    Item.BELONG: [22, 42, 26, 10],
    Item.TRUST: [34, 40, 21, 5],
}


def _pulse(
    rng: random.Random, plan: Planned, resident: Resident, new_group: bool, tally: Counter[str]
) -> None:
    """About two in five answer the pulse hours_confirm just offered them, that evening."""
    invite = PulseInvite.objects.filter(user=resident.user, done_at=None).order_by("-pk").first()
    if invite is None or rng.random() > 0.4:
        return
    weights = list(SCORES[Item(invite.item)])
    if resident.kind == REGULAR and len(resident.groups) > 1:
        weights[0] += 10
    with _clock(plan.end + timedelta(hours=30)):
        pulse_answer(
            invite=invite,
            met_new=rng.random() < (0.8 if new_group else 0.35),
            met_different=rng.random() < 0.45 if rng.random() < 0.9 else None,
            score=rng.choices([1, 2, 3, 4], weights)[0] if rng.random() < 0.95 else None,
        )
    tally["pulses"] += 1


def _shopping(
    rng: random.Random, town: Town, residents: list[Resident], day: date, tally: Counter[str]
) -> None:
    """Residents with coins to spend drop into a shop, the more coins the likelier; now
    and then one gives some to a group they volunteer with."""
    for resident in residents:
        if resident.coins < 20 or day < resident.joins:
            continue
        if resident.gives and resident.groups and resident.coins >= 20 and rng.random() < 0.008:
            _gift(rng, town, resident, day, tally)
        elif resident.spends and rng.random() < resident.coins / 3500:
            _sale(rng, town, resident, day, tally)


def _sale(
    rng: random.Random, town: Town, resident: Resident, day: date, tally: Counter[str]
) -> None:
    """A code made on the resident's phone and taken at the shop's till a minute later."""
    affordable = [o for o in town.offers if o.price <= resident.coins]
    if not affordable:
        return
    near = [o for o in affordable if town.shop_wards[o.retailer_id] == resident.ward_id]
    choice = near if near and rng.random() < 0.6 else affordable
    offer = rng.choices(choice, weights=[o.price**2 for o in choice])[0]  # saving up for more
    staff = town.staff[offer.retailer_id]
    moment = _at(day, rng.randint(9, 16), rng.randrange(60))
    try:
        with _clock(moment):
            code = redemption_code_create(user=resident.user, offer=offer)
        with _clock(moment + timedelta(minutes=1)):
            sale = redemption_confirm(redemption=code, staff=staff, proof=code.token)
    except (NotAllowed, RedemptionRefused):
        return  # e.g. the coffee's once a week, already had: the code goes unused
    resident.coins -= offer.price
    tally["sales"] += 1
    if rng.random() < 0.02:
        with _clock(moment + timedelta(minutes=6)):
            redemption_refund(redemption=sale, staff=staff, reason="Rang up the wrong item")
        resident.coins += offer.price


def _gift(
    rng: random.Random, town: Town, resident: Resident, day: date, tally: Counter[str]
) -> None:
    group = rng.choice(resident.groups)
    amount = rng.randint(5, min(25, resident.coins // 2))
    moment = _at(day, rng.randint(8, 21), rng.randrange(60))
    try:
        with _clock(moment):
            gift_give(
                scheme=town.scheme,
                sender=resident.user,
                to=town.group_accounts[group.pk],
                amount=amount,
                key=f"give:{resident.user.pk}:demo-{day:%Y%m%d}",
                memo=f"Gift to {group}",
            )
    except LedgerError:
        return
    resident.coins -= amount
    tally["gifts"] += 1
