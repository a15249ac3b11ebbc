"""Tell open pages that part of them changed, so they re-fetch it without a reload; and
the one way anything is sent to the sockets, in bulk.

Nothing is stored: a page that is not open simply shows the new state when it next
loads. Sent only after the work commits, like notify()."""

from collections.abc import Iterable, Sequence
from typing import Any

import redis
from asgiref.sync import async_to_sync
from channels import DEFAULT_CHANNEL_LAYER
from channels.layers import BaseChannelLayer, get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.db import transaction

# PUBLISHes per pipeline: one round trip each, and a bounded buffer.
PUBLISH_BATCH = 1000
_clients: dict[str, redis.Redis] = {}


def user_group(user_id: int) -> str:
    """The channel-layer group every socket of one person joins."""
    return f"user.{user_id}"


def live_refresh(*, user_ids: Iterable[int], fragments: list[str]) -> None:
    """After commit, each of these people's open pages re-fetches the elements marked
    `data-live="<name>"` for each name in `fragments` (e.g. "wallet-balance")."""
    targets = sorted(set(user_ids))
    if not targets or not fragments:
        return
    event = {"type": "live.refresh", "fragments": list(fragments)}
    # robust: the write has committed; a channel layer that cannot be reached is logged.
    transaction.on_commit(
        lambda: groups_send([(user_group(pk), event) for pk in targets]), robust=True
    )


def groups_send(events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Send each (group, event) on the channel layer, from sync code, all at once.

    group_send one at a time from sync code costs a new event loop, and with it a new
    Redis connection, per message (async_to_sync). On Redis pub/sub (production) these
    are the PUBLISHes the layer's own group_send makes, pipelined on a kept connection;
    any other layer gets its group_sends in one event loop."""
    layer = get_channel_layer()
    if layer is None or not events:
        return
    publish = _pubsub_target(layer)
    if publish is None:
        async_to_sync(_send_each)(layer, events)
        return
    client, prefix = publish
    for start in range(0, len(events), PUBLISH_BATCH):
        pipe = client.pipeline(transaction=False)
        for group, event in events[start : start + PUBLISH_BATCH]:
            # RedisPubSubLoopLayer._get_group_channel_name: what its group_add subscribes to.
            pipe.publish(f"{prefix}__group__{group}", layer.serialize(event))
        pipe.execute()


async def _send_each(layer: BaseChannelLayer, events: Sequence[tuple[str, dict[str, Any]]]) -> None:
    for group, event in events:
        await layer.group_send(group, event)


def _pubsub_target(layer: BaseChannelLayer) -> tuple[redis.Redis, str] | None:
    """A kept client for the pub/sub layer's one Redis and the layer's prefix; None for
    other layers, or several Redis hosts (sharded: the layer picks one per group)."""
    if not isinstance(layer, RedisPubSubChannelLayer):
        return None
    config: dict[str, Any] = settings.CHANNEL_LAYERS[DEFAULT_CHANNEL_LAYER].get("CONFIG") or {}  # type: ignore[assignment]
    hosts = config.get("hosts") or ["redis://localhost:6379"]
    if len(hosts) != 1 or not isinstance(hosts[0], str):
        return None
    url = hosts[0]
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    return _clients[url], str(config.get("prefix", "asgi"))
