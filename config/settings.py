"""Comity settings: one module, read from the environment.

Every variable is listed with its default and meaning in `.env.example`. With nothing set,
Comity runs on embedded defaults (SQLite, in-memory channel layer, local-memory cache,
database search backend, immediate tasks). Setting DATABASE_URL, REDIS_URL and
ELASTICSEARCH_URL switches each part to its real engine, which is the production path.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if not value:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


# --- Environment -------------------------------------------------------------------------
DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production")
    # Development only: a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "development-only-not-secret-7f3c9e1b2a4d6f8e0c1b3a5d7e9f2c4b6a8d0e1f3a5c7b9"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
DATA_DIR = Path(env_str("COMITY_DATA_DIR", str(BASE_DIR / "var")))

# --- Applications --------------------------------------------------------------------------
INSTALLED_APPS = [
    "members",
    "forum",
    "cms",
    "cms.newsletters",
    "cms.legislation",
    "cms.events",
    "search",
    "notifications",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_ratelimit",
    "django_tasks",
    "django_tasks_db",
    "channels",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic",  # its configuration checks
    "django.contrib.staticfiles",
    # Lets the TemplatesSetting form renderer find Django's own widget templates.
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "servestatic.middleware.ServeStaticMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "members.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "members.context_processors.site_navigation",
                "notifications.context_processors.live_notifications",
            ],
        },
    },
]
# Every form renders through one accessible USWDS template (labels, hints, errors).
FORM_RENDERER = "config.forms.AccessibleFormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0), conn_health_checks=True
        )
    }
    # Lets two test runs share one PostgreSQL server without fighting over test_<name>.
    if env_str("DATABASE_TEST_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME")}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "comity.sqlite3",
            # WAL lets the worker and the web process use the file at the same time.
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and channel layer ---------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
EMBEDDED_SILENCED_CHECKS: list[str] = []
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache that carries on in process memory while Redis is down.
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "comity"),
            "TIMEOUT": 300,
            # Redis answers a cache call in about a millisecond: give up fast on one that
            # does not, so an unreachable server costs a request a fraction of a second (once
            # every few seconds per process, see config/cache.py), not seconds each time.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # Redis pub/sub rather than channels_redis' list-based layer: a group send is one
            # PUBLISH, where the list layer makes four round trips per group. One reply tells
            # a thousand followers, each in a group of their own (user.<id>): with pub/sub the
            # last of them hears in under a second (bench/notify.py). Pub/sub keeps nothing
            # for a page that is not connected; neither did the list layer for long, and
            # pages catch up from the database when they reconnect (notifications.live).
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # A dead server is noticed within the read timeout; pushes are capped by
                # notifications.live.PUSH_TIMEOUT anyway.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 2}],
                "prefix": "comity:asgi",
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # The embedded default is one process, so a local-memory cache is shared by every
    # request that rate limits count; django-ratelimit cannot know that.
    EMBEDDED_SILENCED_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Background tasks ------------------------------------------------------------------------------
# The database task backend needs a real database shared with `manage.py db_worker`;
# on the embedded default tasks run immediately inside the request.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database" if DATABASE_URL else "immediate")
TASK_BACKEND_PATHS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in TASK_BACKEND_PATHS:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'database' or 'immediate'")
TASKS = {"default": {"BACKEND": TASK_BACKEND_PATHS[TASKS_BACKEND]}}

# --- Search ---------------------------------------------------------------------------------------
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
COMITY_SEARCH = {
    "BACKEND": "elasticsearch" if ELASTICSEARCH_URL else "database",
    "URL": ELASTICSEARCH_URL,
    # Every index name starts with this, so test runs and tenants never collide.
    "INDEX_PREFIX": env_str("ELASTICSEARCH_INDEX_PREFIX", "comity"),
    "TIMEOUT": env_int("ELASTICSEARCH_TIMEOUT", 5),
    # 0 suits one node (and keeps it green); a production cluster usually wants 1.
    "REPLICAS": env_int("ELASTICSEARCH_REPLICAS", 0),
}
# Searches and title suggestions per user (or per IP address for visitors), django-ratelimit
# syntax. Suggestions come as someone types, so they allow more.
SEARCH_RATES = {
    "search": env_str("SEARCH_RATE", "60/m"),
    "suggest": env_str("SEARCH_SUGGEST_RATE", "240/m"),
}
# Wagtail's own admin search stays on the database, whatever serves the public search.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Wagtail ---------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Comity"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILDOCS_EXTENSIONS = ["docx", "odt", "pdf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

# --- Auth ------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts: django-allauth (email login, mandatory verification, password reset, TOTP).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"  # generated from the email; people never see it
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None  # ask ("Remember me")
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Comity] "
# Rate limits (counted in the cache: Redis in production). Failed logins are limited per
# IP and per account; sign-ups, resets and confirmation emails per IP.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Comity"
# Accept the code of the neighbouring 30-second step too: phone clocks drift.
MFA_TOTP_TOLERANCE = 1
# Wagtail's admin signs people in through allauth, so two-factor and rate limits apply.
WAGTAILADMIN_LOGIN_URL = "account_login"
# Members-only pages send signed-out visitors to the same sign-in page.
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_RESET_ENABLED = False
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 60 * 60 * 12)

# --- Forum ---------------------------------------------------------------------------------------
# django-ratelimit counts in the cache (Redis in production).
RATELIMIT_USE_CACHE = "default"
# While Redis is down, config.cache.ResilientRedisCache counts in each process's memory, so
# posting, search and sign-in go on and the limits still hold per process. A cache that fails
# in some other way (a bug, not an outage) then refuses rather than lifting the limits.
RATELIMIT_FAIL_OPEN = False
FORUM_RATE_LIMITS = {
    "post": env_str("FORUM_POST_RATE", "10/m"),  # new topics and replies, per user
    "flag": env_str("FORUM_FLAG_RATE", "20/h"),  # flags, per user
}
FORUM_ATTACHMENT_MAX_BYTES = env_int("FORUM_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Days a redacted span's original text is kept (for moderators) before `manage.py purge_redactions` blanks it.
FORUM_REDACTION_RETENTION_DAYS = env_int("FORUM_REDACTION_RETENTION_DAYS", 90)
# Attachment text extraction (forum/extraction/) runs each file in a child process with these
# limits, so a hostile file can cost a worker at most this much time and memory.
FORUM_EXTRACTION_LIMITS = {
    "TIMEOUT_SECONDS": env_int("FORUM_EXTRACTION_TIMEOUT", 60),  # wall clock; CPU is capped alike
    "MEMORY_MB": env_int("FORUM_EXTRACTION_MEMORY_MB", 768),  # the child's address space
    "MAX_INPUT_BYTES": env_int("FORUM_EXTRACTION_MAX_INPUT_BYTES", 25 * 1024 * 1024),
    "MAX_PAGES": env_int("FORUM_EXTRACTION_MAX_PAGES", 200),  # PDF pages read
    "MAX_TEXT_CHARS": env_int("FORUM_EXTRACTION_MAX_TEXT_CHARS", 1_000_000),  # text kept
    "MAX_SHEETS": 50,
    "MAX_CELLS": env_int("FORUM_EXTRACTION_MAX_CELLS", 200_000),  # spreadsheet cells read
    # Office files are ZIP archives: refuse to open one that would unpack to more than this,
    # or to more than MAX_RATIO times its compressed size (a "zip bomb").
    "ZIP_MAX_BYTES": env_int("FORUM_EXTRACTION_ZIP_MAX_BYTES", 100 * 1024 * 1024),
    "ZIP_MAX_RATIO": 100,
    "ZIP_MAX_MEMBERS": 5000,
}
FORUM_POSTS_PER_PAGE = 50
FORUM_TOPICS_PER_PAGE = 30

# --- Association sites ---------------------------------------------------------------------------
NEWSLETTER_EMAIL_BATCH_SIZE = env_int("NEWSLETTER_EMAIL_BATCH_SIZE", 100)
# Event registrations by people without an account, per IP address (django-ratelimit syntax).
EVENTS_GUEST_REGISTRATION_RATE = env_str("EVENTS_GUEST_REGISTRATION_RATE", "10/h")

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(DATA_DIR / "media")))
PRIVATE_MEDIA_ROOT = Path(env_str("COMITY_PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Forum attachments: never under MEDIA_URL; served only by a view that checks who asks.
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT}},
    "staticfiles": {
        "BACKEND": (
            "servestatic.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve straight from the finders so no collectstatic is needed.
# ServeStatic (an ASGI-native WhiteNoise fork) streams files without blocking the event loop.
SERVESTATIC_USE_FINDERS = not PRODUCTION
SERVESTATIC_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security ---------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Wagtail's live preview shows the page in a same-origin iframe, so framing is limited to
# our own origin rather than denied outright (see SILENCED_SYSTEM_CHECKS below).
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019", *EMBEDDED_SILENCED_CHECKS]
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    if env_bool("DJANGO_BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The container health check calls /healthz over plain HTTP on loopback.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Email ---------------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_URL")
if EMAIL_URL.startswith("smtp"):
    from urllib.parse import unquote, urlparse

    _email = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or 587
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Comity <no-reply@comity.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging -------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # Per-request and per-task chatter from libraries stays out of the console.
        "elastic_transport": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
