"""The one way a length of time reads: "3 h", "2 h 30 min", "45 min".

Whole hours show no minutes, and an hour's part shows no "0 h": the figure reads as
people say it. Amounts stay whole minutes everywhere else; this only shows them. Pages
use it through the `duration` template filter (backend/templatetags/durations.py)."""


def duration_text(minutes: int) -> str:
    if minutes < 0:
        return f"-{duration_text(-minutes)}"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours:,} h {rest} min" if rest else f"{hours:,} h"
