"""Counting a scheme's figures into the rollup (impact.models) that the dashboard reads,
so that a page over a million hour records reads a few hundred rows, not the million.

Celery beat runs `rollups_refresh` every ROLLUP_MINUTES; the page says when its figures
were counted. One refresh is one transaction: readers see the old figures until it
commits, then the new ones, never half. The definitions are those of the live count in
impact.selectors (a test holds them equal): hours and places by their shift's month,
sales by their sale's month, the ward of the opportunity or the shop."""

# ruff: noqa: S608 - the SQL is built only from this module's constants; values are parameters
import time
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from coins.models import Payout, Scheme, Sponsorship, Transfer
from impact.models import MONTH_BITS, ActiveMonths, MonthFigures, Rollup, Slice
from marketplace.board.models import Hours, Signup
from marketplace.rewards.models import Redemption

ROLLUP_MINUTES = 10
_LOCK = 0x1A7AC7  # pg advisory lock namespace: one refresh of a scheme at a time

# The slices each row of work belongs to: the whole scheme, its ward, each of its causes,
# each ward and cause, and its group. `o` is the opportunity.
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
_KEY = "k.slice, k.ward_id, k.cause, k.group_id"


def _month(moment: str) -> str:
    return f"date_trunc('month', {moment} AT TIME ZONE %(tz)s)::date"


def month_bit(column: str) -> str:
    """SQL for the bit(600) with only `column`'s month set."""
    index = (
        f"((extract(year FROM {column})::int - 2000) * 12 + extract(month FROM {column})::int - 1)"
    )
    return f"set_bit(repeat('0', {MONTH_BITS})::bit({MONTH_BITS}), {index}, 1)"


_FIGURES = (
    f"INSERT INTO {MonthFigures._meta.db_table} "
    "(scheme_id, slice, ward_id, cause, group_id, month, {columns}) "
)
_ACTIVE = (
    f"INSERT INTO {ActiveMonths._meta.db_table} "
    "(scheme_id, slice, ward_id, cause, group_id, kind, member, first_month, months) "
)

_STEPS = [
    # Confirmed hours, once per volunteer, slice and month; each volunteer's first month.
    f"""CREATE TEMPORARY TABLE impact_hours ON COMMIT DROP AS
    SELECT {_KEY}, {_month("sh.start")} AS month, s.user_id, o.group_id AS member_group,
           sum(h.minutes) AS minutes,
           sum(COALESCE((SELECT sum(e.amount) FROM coins_entry e
                         WHERE e.transfer_id = h.mint_id AND e.amount > 0), 0)) AS coins
    FROM marketplace_hours h
    JOIN marketplace_signup s ON s.id = h.signup_id
    JOIN marketplace_shift sh ON sh.id = s.shift_id
    JOIN marketplace_opportunity o ON o.id = sh.opportunity_id
    {_SLICES}
    WHERE h.status = %(confirmed)s AND o.scheme_id = %(scheme)s
      AND sh.start >= '2000-01-01' AND sh.start < '2050-01-01'
    GROUP BY {_KEY}, 5, s.user_id, o.group_id""",
    """CREATE TEMPORARY TABLE impact_firsts ON COMMIT DROP AS
    SELECT user_id, min(month) AS first FROM impact_hours WHERE slice = 'all' GROUP BY user_id""",
    _FIGURES.format(columns="minutes, coins_minted, volunteers, new, groups_active")
    + """SELECT %(scheme)s, slice, ward_id, cause, group_id, month, sum(minutes), sum(coins),
           count(DISTINCT user_id), count(DISTINCT user_id) FILTER (WHERE f.first = month),
           count(DISTINCT member_group)
    FROM impact_hours JOIN impact_firsts f USING (user_id)
    GROUP BY slice, ward_id, cause, group_id, month""",
    _ACTIVE
    + f"""SELECT %(scheme)s, slice, ward_id, cause, group_id, 'volunteer', user_id, min(f.first),
           bit_or({month_bit("month")})
    FROM impact_hours JOIN impact_firsts f USING (user_id)
    GROUP BY slice, ward_id, cause, group_id, user_id""",
    _ACTIVE
    + f"""SELECT %(scheme)s, slice, ward_id, cause, group_id, 'group', member_group, NULL,
           bit_or({month_bit("month")})
    FROM impact_hours GROUP BY slice, ward_id, cause, group_id, member_group""",
    # Places taken on shifts, by the shift's month: who came and who did not.
    _FIGURES.format(columns="places, attended, no_shows")
    + f"""SELECT %(scheme)s, {_KEY}, {_month("sh.start")}, count(*),
           count(*) FILTER (WHERE s.attended IS TRUE), count(*) FILTER (WHERE s.attended IS FALSE)
    FROM marketplace_signup s
    JOIN marketplace_shift sh ON sh.id = s.shift_id
    JOIN marketplace_opportunity o ON o.id = sh.opportunity_id
    {_SLICES}
    WHERE s.status = %(signed_up)s AND o.scheme_id = %(scheme)s
      AND sh.start >= '2000-01-01' AND sh.start < '2050-01-01'
    GROUP BY {_KEY}, 6""",
    # Shifts held (not cancelled), the places they offered, and those filled.
    _FIGURES.format(columns="shifts, places_offered, shifts_filled")
    + f"""SELECT %(scheme)s, {_KEY}, {_month("sh.start")}, count(*), sum(sh.capacity),
           count(*) FILTER (WHERE COALESCE(taken.n, 0) >= sh.capacity)
    FROM marketplace_shift sh
    JOIN marketplace_opportunity o ON o.id = sh.opportunity_id
    LEFT JOIN (SELECT shift_id, count(*) AS n FROM marketplace_signup
               WHERE status = %(signed_up)s GROUP BY shift_id) AS taken ON taken.shift_id = sh.id
    {_SLICES}
    WHERE sh.cancelled_at IS NULL AND o.scheme_id = %(scheme)s
      AND sh.start >= '2000-01-01' AND sh.start < '2050-01-01'
    GROUP BY {_KEY}, 6""",
    _FIGURES.format(columns="opportunities_posted")
    + f"""SELECT %(scheme)s, {_KEY}, {_month("o.published_at")}, count(*)
    FROM marketplace_opportunity o
    {_SLICES}
    WHERE o.published_at IS NOT NULL AND o.scheme_id = %(scheme)s
    GROUP BY {_KEY}, 6""",
    # Sales at shops, by the sale's month, for the scheme and the shop's ward.
    f"""CREATE TEMPORARY TABLE impact_sales ON COMMIT DROP AS
    SELECT k.slice, k.ward_id, {_month("x.redeemed_at")} AS month, x.retailer_id,
           sum(x.price) FILTER (WHERE x.status = %(redeemed)s) AS coins
    FROM marketplace_redemption x
    JOIN marketplace_retailer r ON r.id = x.retailer_id
    {_SHOP_SLICES}
    WHERE x.status = ANY(%(sold)s) AND x.scheme_id = %(scheme)s
      AND x.redeemed_at >= '2000-01-01' AND x.redeemed_at < '2050-01-01'
    GROUP BY k.slice, k.ward_id, 3, x.retailer_id""",
    _FIGURES.format(columns="shops_active, coins_redeemed")
    + """SELECT %(scheme)s, slice, ward_id, '', NULL, month, count(*), COALESCE(sum(coins), 0)
    FROM impact_sales GROUP BY slice, ward_id, month""",
    _ACTIVE
    + f"""SELECT %(scheme)s, slice, ward_id, '', NULL, 'shop', retailer_id, NULL,
           bit_or({month_bit("month")})
    FROM impact_sales GROUP BY slice, ward_id, retailer_id""",
    # What belongs to no place: gifts, expiry, sponsors' money and payouts to shops.
    _FIGURES.format(columns="coins_donated, coins_expired")
    + f"""SELECT %(scheme)s, 'all', NULL, '', NULL, {_month("t.created")},
           COALESCE(sum(e.amount) FILTER (WHERE t.kind = %(donation)s), 0),
           COALESCE(sum(e.amount) FILTER (WHERE t.kind = %(expiry)s), 0)
    FROM coins_transfer t JOIN coins_entry e ON e.transfer_id = t.id
    WHERE t.scheme_id = %(scheme)s AND t.kind IN (%(donation)s, %(expiry)s) AND e.amount > 0
      AND t.created >= '2000-01-01' AND t.created < '2050-01-01'
    GROUP BY 6""",
    _FIGURES.format(columns="sponsorship_pence")
    + f"""SELECT %(scheme)s, 'all', NULL, '', NULL, {_month("created")}, sum(amount_pence)
    FROM coins_sponsorship WHERE scheme_id = %(scheme)s AND status = %(paid_sponsorship)s
      AND created >= '2000-01-01' AND created < '2050-01-01'
    GROUP BY 6""",
    _FIGURES.format(columns="paid_out_pence")
    + f"""SELECT %(scheme)s, 'all', NULL, '', NULL, {_month("created")}, sum(pence)
    FROM coins_payout WHERE scheme_id = %(scheme)s AND status = %(paid_payout)s
      AND created >= '2000-01-01' AND created < '2050-01-01'
    GROUP BY 6""",
    # Dropped here too: inside an outer transaction (a test's) commit never comes.
    "DROP TABLE impact_hours, impact_firsts, impact_sales",
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
            cursor.execute(step, params)
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
        "signed_up": Signup.State.CONFIRMED,
        "redeemed": Redemption.State.REDEEMED,
        "sold": list(Redemption.SOLD),
        "donation": Transfer.Kind.DONATION,
        "expiry": Transfer.Kind.EXPIRY,
        "paid_sponsorship": Sponsorship.State.PAID,
        "paid_payout": Payout.State.PAID,
    }


__all__ = ["ROLLUP_MINUTES", "Slice", "rollup_refresh", "rollups_refresh"]
