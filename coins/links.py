"""Pages of higher layers that coins' own pages link to, filled in at start by the apps
that serve them (impact's AppConfig.ready), so that coins never names them."""

from collections.abc import Callable
from typing import Any

# A sponsorship -> the report of what its money did.
sponsorship_report_url: list[Callable[[Any], str]] = []


def sponsorship_report(sponsorship: Any) -> str:
    return sponsorship_report_url[0](sponsorship) if sponsorship_report_url else ""
