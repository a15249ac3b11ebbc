"""Pages of higher layers the board's own pages link to, filled in at start by the apps
that serve them (impact's AppConfig.ready), so that the board never names them."""

from collections.abc import Callable
from typing import Any

# A community group -> its report's address.
group_report_url: list[Callable[[Any], str]] = []


def group_report(group: Any) -> str:
    return group_report_url[0](group) if group_report_url else ""
