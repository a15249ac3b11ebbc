"""Everything that reaches a person: notify(), stored notifications, the socket, e-mail
and web push. Knows nothing of coins or the marketplace."""

from typing import Any


def notify(**kwargs: Any) -> Any:
    """Shortcut for notifications.services.notify (imported late: apps load first)."""
    from notifications.services import notify as _notify

    return _notify(**kwargs)
