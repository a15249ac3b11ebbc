"""The account adapter: allauth's, with a growing wait after wrong passwords."""

import hashlib
import math
import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest

FREE_TRIES = 3  # wrong passwords in a row before any wait: everyone mistypes
FIRST_WAIT = 15  # seconds after the next one, doubling with each further one...
LONGEST_WAIT = 15 * 60  # ...up to a quarter of an hour
FORGET_AFTER = 24 * 60 * 60
clock = time.time  # a test moves it on rather than waiting


def login_wait(failures: int) -> int:
    """Seconds an account waits after this many wrong passwords in a row."""
    if failures < FREE_TRIES:
        return 0
    return int(min(FIRST_WAIT * 2 ** (failures - FREE_TRIES), LONGEST_WAIT))


class AccountAdapter(DefaultAccountAdapter):
    """Each wrong password for an account makes the next try wait longer (none for the
    first three, then 15 s, 30 s, 1 min ... up to 15 min); the right one, or a password
    reset, starts it again. Counted per account, not per address, so one person
    guessing at an account cannot lock out a room that shares a Wi-Fi. Kept in the
    cache: with Redis down, the wait is skipped (logged by the cache), never a 500."""

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        failures, last = cache.get(self._delay_key(request, **credentials)) or (0, 0.0)
        left = last + login_wait(failures) - clock()
        if left > 0:
            raise ValidationError(
                f"Too many failed login attempts for this account. Try again in {_spoken(left)}."
            )
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        user = super().authenticate(request, **credentials)
        if user is not None:
            cache.delete(self._delay_key(request, **credentials))
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        key = self._delay_key(request, **credentials)
        failures, _ = cache.get(key) or (0, 0.0)
        cache.set(key, (failures + 1, clock()), FORGET_AFTER)

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        super()._delete_login_attempts_cached_email(request, **credentials)
        cache.delete(self._delay_key(request, **credentials))

    def _delay_key(self, request: HttpRequest, **credentials: Any) -> str:
        login = self._get_login_attempts_cache_key(request, **credentials)
        return "login-wait:" + hashlib.sha256(login.encode()).hexdigest()


def _spoken(seconds: float) -> str:
    if seconds <= 90:
        whole = math.ceil(seconds)
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"
