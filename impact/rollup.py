"""Counting a scheme's figures into the rollup (impact.models) that the dashboard reads,
so that a page over a million hour records reads a few hundred rows, not the million.

Celery beat runs `rollups_refresh` every ROLLUP_MINUTES; the page says when its figures
were counted. One refresh is one transaction: readers see the old figures until it
commits, then the new ones, never half. The definitions are those of the live count in
impact.selectors (a test holds them equal): hours and places by their shift's month,
sales by their sale's month, the ward of the opportunity or the shop."""

# ruff: noqa: S608 - the SQL is built only from this module's constants; values are parameters
import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import AGE_BANDS, Background
from coins.models import Payout, Scheme, Sponsorship, Transfer
from impact.models import MONTH_BITS, ActiveMonths, MonthFigures, Rollup, Slice
from marketplace.board.models import Hours, Signup
from marketplace.rewards.models import Redemption

logger = logging.getLogger(__name__)
ROLLUP_MINUTES = 10
_LOCK = 0x1A7AC7  # pg advisory lock namespace: one refresh of a scheme at a time

# The slices an opportunity's work belongs to: the whole scheme, its ward, each of its
# causes, each ward and cause, and its group. `o` is the opportunity.
_SLICES = """CROSS JOIN LATERAL (
    SELECT 'all' AS slice, NULL::bigint AS ward_id, '' AS cause, NULL::bigint AS group_id
    UNION ALL SELECT 'ward', o.ward_id, '', NULL WHERE o.ward_id IS NOT NULL
    UNION ALL SELECT 'cause', NULL, c.c, NULL FROM (SELECT DISTINCT unnest(o.causes)) AS c(c)
    UNION ALL SELECT 'ward_cause', o.ward_id, c.c, NULL
        FROM (SELECT DISTINCT unnest(o.causes)) AS c(c) WHERE o.ward_id IS NOT NULL
    UNION ALL SELECT 'group', NULL, '', o.group_id
) AS k"""
# A shop's sales belong to the whole scheme and to the shop's ward (`r`).
_SHOP_SLICES = """CROSS JOIN LATERAL (
    SELECT 'all' AS slice, NULL::bigint AS ward_id
    UNION ALL SELECT 'ward', r.ward_id WHERE r.ward_id IS NOT NULL
) AS k"""
_IN_RANGE = "BETWEEN '2000-01-01' AND '2049-12-31'"  # the months MonthBits can hold
CAME_BACK_DAYS = 60


def _month(moment: str) -> str:
    return f"date_trunc('month', {moment} AT TIME ZONE %(tz)s)::date"


def month_bit(column: str) -> str:
    """SQL for the bit(600) with only `column`'s month set."""
    index = (
        f"((extract(year FROM {column})::int - 2000) * 12 + extract(month FROM {column})::int - 1)"
    )
    return f"set_bit(repeat('0', {MONTH_BITS})::bit({MONTH_BITS}), {index}, 1)"


def age_band_sql() -> str:
    """User.age_band() on the shift's day (sh), in SQL, from the same bands."""
    age = "date_part('year', age((sh.start AT TIME ZONE %(tz)s)::date, u.birth_date))"
    bands = " ".join(
        f"WHEN {age} >= {youngest} THEN '{name}'" for youngest, name in reversed(AGE_BANDS)
    )
    under_18 = AGE_BANDS[0][1]
    return (
        f"CASE WHEN u.birth_date IS NULL THEN "
        f"(CASE WHEN u.declared_under_18 THEN '{under_18}' END) {bands} END"
    )


_FIGURES = (
    f"INSERT INTO {MonthFigures._meta.db_table} "
    "(scheme_id, slice, ward_id, cause, group_id, month, {columns}) "
)
_ACTIVE = (
    f"INSERT INTO {ActiveMonths._meta.db_table} "
    "(scheme_id, slice, ward_id, cause, group_id, kind, member, first_month, months) "
)
# Per (key, month) or (key, member) figures, written out with their slice's columns;
# ActiveMonths in slice order, so that the rows a page reads lie together on disk.
_BY_KEY = "JOIN impact_keys AS ks USING (key)"
_SLICE_COLUMNS = "%(scheme)s, ks.slice, ks.ward_id, ks.cause, ks.slice_group"

_STEPS = [
    "SET LOCAL work_mem = '128MB'",
    # Each opportunity's slices, numbered, so that the big steps group by integers.
    f"""CREATE TEMPORARY TABLE impact_slices ON COMMIT DROP AS
    SELECT o.id AS opportunity_id, o.group_id, k.slice, k.ward_id, k.cause,
           k.group_id AS slice_group,
           dense_rank() OVER (ORDER BY k.slice, k.ward_id, k.cause, k.group_id) AS key
    FROM marketplace_opportunity o {_SLICES} WHERE o.scheme_id = %(scheme)s""",
    """CREATE TEMPORARY TABLE impact_keys ON COMMIT DROP AS
    SELECT DISTINCT key, slice, ward_id, cause, slice_group FROM impact_slices""",
    # Confirmed hours and the coins minted for them, per opportunity, month and volunteer.
    f"""CREATE TEMPORARY TABLE impact_given ON COMMIT DROP AS
    SELECT sh.opportunity_id, {_month("sh.start")} AS month, s.user_id,
           sum(h.minutes) AS minutes, sum(COALESCE(m.coins, 0)) AS coins
    FROM marketplace_hours h
    JOIN marketplace_signup s ON s.id = h.signup_id
    JOIN marketplace_shift sh ON sh.id = s.shift_id
    JOIN marketplace_opportunity o ON o.id = sh.opportunity_id
    LEFT JOIN (SELECT e.transfer_id, sum(e.amount) AS coins
               FROM coins_entry e JOIN coins_transfer t ON t.id = e.transfer_id
               WHERE t.kind = %(mint)s AND t.scheme_id = %(scheme)s AND e.amount > 0
               GROUP BY e.transfer_id) AS m ON m.transfer_id = h.mint_id
    WHERE h.status = %(confirmed)s AND o.scheme_id = %(scheme)s AND sh.start {_IN_RANGE}
    GROUP BY 1, 2, 3""",
    """CREATE TEMPORARY TABLE impact_firsts ON COMMIT DROP AS
    SELECT user_id, min(month) AS first FROM impact_given GROUP BY user_id""",
    # Each month's bit, made once rather than once a row.
    f"""CREATE TEMPORARY TABLE impact_bits ON COMMIT DROP AS
    SELECT month, {month_bit("month")} AS bit
    FROM (SELECT DISTINCT month FROM impact_given) AS m""",
    """CREATE TEMPORARY TABLE impact_hours ON COMMIT DROP AS
    SELECT k.key, g.month, g.user_id, sum(g.minutes) AS minutes, sum(g.coins) AS coins
    FROM impact_given g JOIN impact_slices k USING (opportunity_id)
    GROUP BY k.key, g.month, g.user_id""",
    _FIGURES.format(columns="minutes, coins_minted, volunteers, new")
    + f"""SELECT {_SLICE_COLUMNS}, x.month, x.minutes, x.coins, x.n, x.new
    FROM (SELECT key, month, sum(minutes) AS minutes, sum(coins) AS coins, count(*) AS n,
                 count(*) FILTER (WHERE f.first = h.month) AS new
          FROM impact_hours h JOIN impact_firsts f USING (user_id) GROUP BY key, month) AS x
    {_BY_KEY}""",
    _ACTIVE
    + f"""SELECT {_SLICE_COLUMNS}, 'volunteer', x.user_id, x.first, x.months
    FROM (SELECT key, user_id, min(f.first) AS first, bit_or(b.bit) AS months
          FROM impact_hours JOIN impact_firsts f USING (user_id) JOIN impact_bits b USING (month)
          GROUP BY key, user_id) AS x
    {_BY_KEY} ORDER BY x.key""",
    # Groups with confirmed hours: in each month, and their months.
    """CREATE TEMPORARY TABLE impact_groups ON COMMIT DROP AS
    SELECT DISTINCT k.key, g.month, k.group_id
    FROM (SELECT DISTINCT opportunity_id, month FROM impact_given) AS g
    JOIN impact_slices k USING (opportunity_id)""",
    _FIGURES.format(columns="groups_active")
    + f"""SELECT {_SLICE_COLUMNS}, x.month, x.n
    FROM (SELECT key, month, count(*) AS n FROM impact_groups GROUP BY key, month) AS x
    {_BY_KEY}""",
    _ACTIVE
    + f"""SELECT {_SLICE_COLUMNS}, 'group', x.group_id, NULL, x.months
    FROM (SELECT key, group_id, bit_or(b.bit) AS months
          FROM impact_groups JOIN impact_bits b USING (month) GROUP BY key, group_id) AS x
    {_BY_KEY} ORDER BY x.key""",
    # Places taken on shifts, by the shift's month: who came and who did not.
    _FIGURES.format(columns="places, attended, no_shows")
    + f"""SELECT {_SLICE_COLUMNS}, x.month, x.places, x.came, x.missed
    FROM (SELECT k.key, p.month, sum(p.places) AS places, sum(p.came) AS came,
                 sum(p.missed) AS missed
          FROM (SELECT sh.opportunity_id, {_month("sh.start")} AS month, count(*) AS places,
                       count(*) FILTER (WHERE s.attended IS TRUE) AS came,
                       count(*) FILTER (WHERE s.attended IS FALSE) AS missed
                FROM marketplace_signup s JOIN marketplace_shift sh ON sh.id = s.shift_id
                WHERE s.status = %(signed_up)s AND sh.start {_IN_RANGE}
                GROUP BY 1, 2) AS p
          JOIN impact_slices k USING (opportunity_id) GROUP BY k.key, p.month) AS x
    {_BY_KEY}""",
    # Shifts held (not cancelled), the places they offered, and those filled.
    _FIGURES.format(columns="shifts, places_offered, shifts_filled")
    + f"""SELECT {_SLICE_COLUMNS}, x.month, x.shifts, x.offered, x.filled
    FROM (SELECT k.key, p.month, sum(p.shifts) AS shifts, sum(p.offered) AS offered,
                 sum(p.filled) AS filled
          FROM (SELECT sh.opportunity_id, {_month("sh.start")} AS month, count(*) AS shifts,
                       sum(sh.capacity) AS offered,
                       count(*) FILTER (WHERE COALESCE(taken.n, 0) >= sh.capacity) AS filled
                FROM marketplace_shift sh
                LEFT JOIN (SELECT shift_id, count(*) AS n FROM marketplace_signup
                           WHERE status = %(signed_up)s GROUP BY shift_id) AS taken
                       ON taken.shift_id = sh.id
                WHERE sh.cancelled_at IS NULL AND sh.start {_IN_RANGE}
                GROUP BY 1, 2) AS p
          JOIN impact_slices k USING (opportunity_id) GROUP BY k.key, p.month) AS x
    {_BY_KEY}""",
    _FIGURES.format(columns="opportunities_posted")
    + f"""SELECT {_SLICE_COLUMNS}, x.month, x.n
    FROM (SELECT k.key, {_month("o.published_at")} AS month, count(*) AS n
          FROM marketplace_opportunity o JOIN impact_slices k ON k.opportunity_id = o.id
          WHERE o.published_at {_IN_RANGE} GROUP BY 1, 2) AS x
    {_BY_KEY}""",
    # Sales at shops, by the sale's month, for the scheme and the shop's ward.
    f"""CREATE TEMPORARY TABLE impact_sales ON COMMIT DROP AS
    SELECT k.slice, k.ward_id, {_month("x.redeemed_at")} AS month, x.retailer_id,
           sum(x.price) FILTER (WHERE x.status = %(redeemed)s) AS coins
    FROM marketplace_redemption x
    JOIN marketplace_retailer r ON r.id = x.retailer_id
    {_SHOP_SLICES}
    WHERE x.status = ANY(%(sold)s) AND x.scheme_id = %(scheme)s AND x.redeemed_at {_IN_RANGE}
    GROUP BY k.slice, k.ward_id, 3, x.retailer_id""",
    _FIGURES.format(columns="shops_active, coins_redeemed")
    + """SELECT %(scheme)s, slice, ward_id, '', NULL, month, count(*), COALESCE(sum(coins), 0)
    FROM impact_sales GROUP BY slice, ward_id, month""",
    _ACTIVE
    + f"""SELECT %(scheme)s, slice, ward_id, '', NULL, 'shop', retailer_id, NULL,
           bit_or({month_bit("month")})
    FROM impact_sales GROUP BY slice, ward_id, retailer_id ORDER BY slice, ward_id""",
    # What belongs to no place: gifts, expiry, sponsors' money and payouts to shops.
    _FIGURES.format(columns="coins_donated, coins_expired")
    + f"""SELECT %(scheme)s, 'all', NULL, '', NULL, {_month("t.created")},
           COALESCE(sum(e.amount) FILTER (WHERE t.kind = %(donation)s), 0),
           COALESCE(sum(e.amount) FILTER (WHERE t.kind = %(expiry)s), 0)
    FROM coins_transfer t JOIN coins_entry e ON e.transfer_id = t.id
    WHERE t.scheme_id = %(scheme)s AND t.kind IN (%(donation)s, %(expiry)s) AND e.amount > 0
      AND t.created {_IN_RANGE}
    GROUP BY 6""",
    _FIGURES.format(columns="sponsorship_pence")
    + f"""SELECT %(scheme)s, 'all', NULL, '', NULL, {_month("created")}, sum(amount_pence)
    FROM coins_sponsorship WHERE scheme_id = %(scheme)s AND status = %(paid_sponsorship)s
      AND created {_IN_RANGE}
    GROUP BY 6""",
    _FIGURES.format(columns="paid_out_pence")
    + f"""SELECT %(scheme)s, 'all', NULL, '', NULL, {_month("created")}, sum(pence)
    FROM coins_payout WHERE scheme_id = %(scheme)s AND status = %(paid_payout)s
      AND created {_IN_RANGE}
    GROUP BY 6""",
    # Who met whom: each confirmed record with the volunteer's home ward, age band and
    # ethnic group (NULL where unknown or "prefer not to say"), and the opportunity's ward.
    f"""CREATE TEMPORARY TABLE impact_met ON COMMIT DROP AS
    SELECT sh.id AS shift_id, sh.opportunity_id, sh.start, {_month("sh.start")} AS month,
           s.user_id, h.minutes, o.ward_id AS here, pc.ward_id AS home,
           {age_band_sql()} AS band, bg.ethnic_group AS ethnic
    FROM marketplace_hours h
    JOIN marketplace_signup s ON s.id = h.signup_id
    JOIN marketplace_shift sh ON sh.id = s.shift_id
    JOIN marketplace_opportunity o ON o.id = sh.opportunity_id
    JOIN accounts_user u ON u.id = s.user_id
    LEFT JOIN places_postcode pc ON pc.postcode = u.postcode
    LEFT JOIN accounts_background bg ON bg.user_id = u.id AND bg.ethnic_group <> %(unsaid)s
    WHERE h.status = %(confirmed)s AND o.scheme_id = %(scheme)s AND sh.start {_IN_RANGE}""",
    # Each shift: which traits two or more of its volunteers have known, and which differ.
    """CREATE TEMPORARY TABLE impact_mixes ON COMMIT DROP AS
    SELECT shift_id, count(home) >= 2 AS by_ward, count(DISTINCT home) >= 2 AS wards,
           count(band) >= 2 AS by_age, count(DISTINCT band) >= 2 AS ages,
           count(ethnic) >= 2 AS by_ethnic, count(DISTINCT ethnic) >= 2 AS ethnics
    FROM impact_met GROUP BY shift_id""",
    _FIGURES.format(
        columns="mix_ward_shifts, mix_ward_mixed, mix_ward_people, mix_age_shifts, "
        "mix_age_mixed, mix_age_people, mix_ethnic_shifts, mix_ethnic_mixed, "
        "mix_ethnic_people, known_minutes, outside_minutes, known_people"
    )
    + f"""SELECT {_SLICE_COLUMNS}, x.month, x.ws, x.wm, x.wp, x.gs, x.gm, x.gp, x.es, x.em,
           x.ep, x.km, x.om, x.kp
    FROM (SELECT k.key, m.month,
            count(DISTINCT m.shift_id) FILTER (WHERE x.by_ward) AS ws,
            count(DISTINCT m.shift_id) FILTER (WHERE x.wards) AS wm,
            count(DISTINCT m.user_id) FILTER (WHERE x.by_ward AND m.home IS NOT NULL) AS wp,
            count(DISTINCT m.shift_id) FILTER (WHERE x.by_age) AS gs,
            count(DISTINCT m.shift_id) FILTER (WHERE x.ages) AS gm,
            count(DISTINCT m.user_id) FILTER (WHERE x.by_age AND m.band IS NOT NULL) AS gp,
            count(DISTINCT m.shift_id) FILTER (WHERE x.by_ethnic) AS es,
            count(DISTINCT m.shift_id) FILTER (WHERE x.ethnics) AS em,
            count(DISTINCT m.user_id) FILTER (WHERE x.by_ethnic AND m.ethnic IS NOT NULL) AS ep,
            COALESCE(sum(m.minutes) FILTER (WHERE m.home IS NOT NULL AND m.here IS NOT NULL),
                     0) AS km,
            COALESCE(sum(m.minutes) FILTER (WHERE m.home <> m.here), 0) AS om,
            count(DISTINCT m.user_id) FILTER (WHERE m.home IS NOT NULL AND m.here IS NOT NULL)
                AS kp
          FROM impact_met m JOIN impact_mixes x USING (shift_id)
          JOIN impact_slices k USING (opportunity_id)
          WHERE k.slice <> 'group'
          GROUP BY k.key, m.month) AS x
    {_BY_KEY}""",
    # First-timers (their first confirmed shift in the scheme) whose days are over, by
    # that shift's month and slices, and those with another confirmed shift within them.
    _FIGURES.format(columns="firsts_done, came_back")
    + f"""SELECT {_SLICE_COLUMNS}, x.month, x.n, x.back
    FROM (SELECT k.key, f.month, count(*) AS n, count(*) FILTER (WHERE f.back) AS back
          FROM (SELECT DISTINCT ON (user_id) user_id, opportunity_id, month, start,
                       lead(start) OVER (PARTITION BY user_id ORDER BY start, shift_id)
                           <= start + %(came_back_days)s * interval '1 day' AS back
                FROM impact_met ORDER BY user_id, start, shift_id) AS f
          JOIN impact_slices k USING (opportunity_id)
          WHERE k.slice <> 'group' AND f.start <= %(days_over_by)s
          GROUP BY k.key, f.month) AS x
    {_BY_KEY}""",
    # Fresh statistics, so that the pages' queries are planned for what is there now.
    f"ANALYZE {MonthFigures._meta.db_table}, {ActiveMonths._meta.db_table}",
    # Dropped here too: inside an outer transaction (a test's) commit never comes.
    "DROP TABLE impact_slices, impact_keys, impact_given, impact_firsts, impact_bits, "
    "impact_hours, impact_groups, impact_sales, impact_met, impact_mixes",
]


def rollup_refresh(scheme: Scheme) -> Rollup | None:
    """Count the scheme's figures again, in one transaction. None when another refresh
    of the same scheme is under way (it will have the same figures)."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK, scheme.pk])
        row = cursor.fetchone()
        if not (row and row[0]):
            return None
        MonthFigures.objects.filter(scheme=scheme).delete()
        ActiveMonths.objects.filter(scheme=scheme).delete()
        params = _params(scheme)
        for step in _STEPS:
            began = time.perf_counter()
            cursor.execute(step, params)
            logger.debug("%5.1f s  %s", time.perf_counter() - began, " ".join(step.split())[:70])
        took_ms = round((time.perf_counter() - started) * 1000)
        rollup, _ = Rollup.objects.update_or_create(
            scheme=scheme, defaults={"counted_at": timezone.now(), "took_ms": took_ms}
        )
    return rollup


def rollups_refresh() -> int:
    """Every scheme's figures (Celery beat); how many schemes were counted."""
    return sum(rollup_refresh(s) is not None for s in Scheme.objects.order_by("pk"))


def _params(scheme: Scheme) -> dict[str, Any]:
    return {
        "scheme": scheme.pk,
        "tz": settings.TIME_ZONE,
        "confirmed": Hours.State.CONFIRMED,
        "mint": Transfer.Kind.MINT,
        "signed_up": Signup.State.CONFIRMED,
        "redeemed": Redemption.State.REDEEMED,
        "sold": list(Redemption.SOLD),
        "donation": Transfer.Kind.DONATION,
        "expiry": Transfer.Kind.EXPIRY,
        "paid_sponsorship": Sponsorship.State.PAID,
        "paid_payout": Payout.State.PAID,
        "unsaid": Background.EthnicGroup.UNSAID,
        "came_back_days": CAME_BACK_DAYS,
        "days_over_by": timezone.now() - timedelta(days=CAME_BACK_DAYS),
    }


__all__ = ["ROLLUP_MINUTES", "Slice", "rollup_refresh", "rollups_refresh"]
