import pytest
from django.test import Client
from django.test.utils import override_settings

# Nothing listens on port 1: every connection is refused, as when Redis has stopped.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def redis_down_settings() -> override_settings:
    return override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": DEAD_REDIS,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        },
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [DEAD_REDIS]},
            }
        },
        CELERY_BROKER_URL=DEAD_REDIS,
        CELERY_TASK_ALWAYS_EAGER=False,
    )


def test_healthz_says_the_process_is_alive(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_names_each_check_and_answers_200_when_all_pass(client: Client) -> None:
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["database"]["backend"] == "PostgreSQL"


@pytest.mark.django_db
def test_readyz_answers_503_naming_redis_when_redis_is_down_while_healthz_stays_200(
    client: Client,
) -> None:
    with redis_down_settings():
        ready = client.get("/readyz")
        alive = client.get("/healthz")
    body = ready.json()
    assert ready.status_code == 503
    assert body["status"] == "fail"
    assert body["checks"]["database"]["ok"] is True
    for name in ("cache", "channel_layer", "broker"):
        assert body["checks"][name] == {
            "ok": False,
            "backend": "Redis",
            "error": body["checks"][name]["error"],
        }
        assert body["checks"][name]["error"]
    assert alive.status_code == 200


@pytest.mark.django_db
def test_readyz_reports_real_redis_healthy(client: Client, redis_url: str) -> None:
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            }
        },
        CHANNEL_LAYERS={
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_url]},
            }
        },
        CELERY_BROKER_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER=False,
    ):
        response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert {check["backend"] for name, check in body["checks"].items() if name != "database"} == {
        "Redis"
    }
