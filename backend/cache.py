"""Django's Redis cache, forgiving Redis being down: a read misses and a write is
dropped, each with a logged warning, so that logging in (allauth's rate limits live in
the cache) and every page keep working. What the cache holds is only ever a speed-up
or a brake: losing it for a while is better than an error page for everyone."""

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
DOWN = (RedisConnectionError, RedisTimeoutError)


def _forgiving(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    method = getattr(RedisCacheClient, name)

    def forgiving(self: RedisCacheClient, *args: Any) -> Any:
        try:
            return method(self, *args)
        except DOWN as error:
            log.warning("Redis cache unreachable, %s went without it: %s", name, error)
            return fallback(*args)

    return forgiving


class ForgivingRedisCacheClient(RedisCacheClient):
    # What each operation answers while Redis is down: as if the key were not there (so
    # an add "succeeds": allauth's rate-limit lock is taken rather than refused forever,
    # and a brake that cannot be kept lets people through, with the warning logged).
    add = _forgiving("add", lambda key, value, timeout: True)
    get = _forgiving("get", lambda key, default: default)
    set = _forgiving("set", lambda key, value, timeout: None)
    touch = _forgiving("touch", lambda key, timeout: False)
    delete = _forgiving("delete", lambda key: False)
    get_many = _forgiving("get_many", lambda keys: {})
    has_key = _forgiving("has_key", lambda key: False)
    incr = _forgiving("incr", lambda key, delta: delta)
    set_many = _forgiving("set_many", lambda data, timeout: [])
    delete_many = _forgiving("delete_many", lambda keys: None)
    clear = _forgiving("clear", lambda: False)


class ForgivingRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
