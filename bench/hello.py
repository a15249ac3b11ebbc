"""The bare engine for the board search API (bench/api.py): django-ninja saying hello
on Django with nothing else, no middleware, database or templates, served by uvicorn
exactly as the product is. `uvicorn bench.hello:application`; GET /api/hello."""

import django
from django.conf import settings
from django.core.asgi import get_asgi_application
from django.http import HttpRequest
from django.urls import path

settings.configure(
    DEBUG=False,
    SECRET_KEY="bench-hello-not-a-secret",  # noqa: S106 - serves one constant
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    USE_TZ=True,
)
django.setup()

from ninja import NinjaAPI  # noqa: E402 - it reads the settings as it is imported

api = NinjaAPI(urls_namespace="hello")


@api.get("/hello", auth=None)
def hello(request: HttpRequest) -> dict[str, str]:
    return {"hello": "world"}


urlpatterns = [path("api/", api.urls)]
application = get_asgi_application()
