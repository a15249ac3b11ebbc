"""Tell open pages that part of them changed, so they re-fetch it without a reload.

Nothing is stored: a page that is not open simply shows the new state when it next
loads. Sent only after the work commits, like notify()."""

from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from notifications.services import user_group


def live_refresh(*, user_ids: Iterable[int], fragments: list[str]) -> None:
    """After commit, each of these people's open pages re-fetches the elements marked
    `data-live="<name>"` for each name in `fragments` (e.g. "wallet-balance")."""
    targets = sorted(set(user_ids))
    if not targets or not fragments:
        return
    transaction.on_commit(lambda: _send(targets, list(fragments)))


def _send(user_ids: list[int], fragments: list[str]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    for user_id in user_ids:
        send(user_group(user_id), {"type": "live.refresh", "fragments": fragments})
