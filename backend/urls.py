"""Every URL of the site: each app's pages under their prefix, the API, health."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from accounts import views as account_views
from backend import health, personal_data_views, views
from backend.api import api
from coins.webhooks import stripe_webhook
from marketplace.board import council_urls as board_council
from marketplace.rewards import council_urls as shop_council
from notifications import pwa

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/details/", account_views.details, name="account_details"),
    path("accounts/about-me/", account_views.about_me, name="account_about_me"),
    path(
        "accounts/guardian/<str:token>/",
        account_views.guardian_consent,
        name="account_guardian_consent",
    ),
    path("accounts/", include("backend.personal_data_urls")),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("notifications.urls")),
    path("pulse/", include("cohesion.urls")),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("", include("marketplace.board.urls")),
    path("organise/", include("marketplace.board.organise_urls")),
    path("", include("impact.urls")),
    path("council/", include((board_council.urlpatterns + shop_council.urlpatterns, "council"))),
    path("council/ledger/", include("coins.council_urls")),
    path("council/erase/", personal_data_views.council_erase, name="council_erase"),
    path("wallet/", include("coins.urls")),
    path("rewards/", include("marketplace.rewards.urls")),
    path("shop/", include("marketplace.rewards.shop_urls")),
    path("sponsor/", include("coins.sponsor_urls")),
    path("platform/", include("backend.platform_urls")),
    path("town/", include("places.urls")),
    path("stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", views.media, name="media"),
    ]
