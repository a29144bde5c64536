"""Rencontres settings, read from the environment.

Without configuration: SQLite and the in-memory channel layer in one process (DEBUG on only
if asked). With DATABASE_URL and REDIS_URL: PostgreSQL and Redis, several daphne processes.
The helpers fail loudly on a malformed value rather than guessing.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false).")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=env_bool("DJANGO_DEBUG"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("RENCONTRES_INSECURE_DEV_KEY"):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it, or set DEBUG=1 for a development server."
        )
    SECRET_KEY = "dev-only-insecure-key-rencontres-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The address phones use (e.g. http://192.168.1.20:8000): join links and QR codes point there
# whatever address the facilitator opened the wall from. Empty: the request's own host.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "workshops",
    "plenary",
    "territories",
    "priorities",
    # After the apps: workshops' `db_worker` (its idle looks take no lock) replaces the
    # library's command of the same name, the first app listed winning.
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "rencontres.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rencontres.middleware.ThrottleMiddleware",
]

ROOT_URLCONF = "rencontres.urls"
ASGI_APPLICATION = "rencontres.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=0,
    )
}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


# The background worker's CPU priority below the processes that serve phones (added to its
# niceness at start, 0 to 19): heavy jobs take the time the room leaves.
WORKER_NICENESS = env_int("WORKER_NICENESS", 10)
if not 0 <= WORKER_NICENESS <= 19:
    raise ImproperlyConfigured("WORKER_NICENESS must be between 0 and 19.")

# PostgreSQL: the requests one process runs at once (rencontres/handler.py), each in one of
# this many threads, so that one's waits on the database overlap another's work.
HTTP_THREADS = env_int("HTTP_THREADS", 4)

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The HTTP threads and the consumers' thread share a pool per process: it caps the
    # connections (PostgreSQL refuses past max_connections) and makes requests wait instead.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": env_int("DATABASE_POOL_SIZE", 20),
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (HTTP threads, consumers) share one file: wait rather than fail. In WAL
    # mode, synchronous=NORMAL writes a commit without waiting for the disk (the WAL is synced
    # at each checkpoint): an acknowledged answer survives a crash of the server process; only
    # a power cut of the machine may lose the last commits. SQLITE_SYNCHRONOUS=FULL waits for
    # the disk at every commit (10-15 ms per answer on an ordinary disk, in the one thread
    # that runs the views).
    _synchronous = os.environ.get("SQLITE_SYNCHRONOUS", "NORMAL").upper()
    if _synchronous not in {"NORMAL", "FULL"}:
        raise ImproperlyConfigured("SQLITE_SYNCHRONOUS must be NORMAL or FULL.")
    # Django's work runs in one shared thread per process (rencontres/handler.py): its one
    # connection is kept between requests instead of opened for each.
    DATABASES["default"]["CONN_MAX_AGE"] = 600
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous={_synchronous};",
        }
    )

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # The pub/sub layer does not drop group messages past a per-channel capacity, unlike
    # RedisChannelLayer (capacity 100): a burst of answers must never lose a push.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# The cache counts login and join attempts (rencontres/middleware.py). In memory it is per
# process, which suits the one-process default; with several processes they share Redis.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "rencontres.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rencontres",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Joins accepted from one address in 10 minutes: a whole room may share the venue's address.
THROTTLE_JOINS_PER_IP = env_int("THROTTLE_JOINS_PER_IP", 1000)

# Content-Security-Policy of every page: scripts only from our own static files (no inline
# script, no inline handler). Styles allow inline `style` attributes: the server-side charts
# set their colours and sizes with them (all values come from the server, escaped). The
# middleware adds the page's own ws:// or wss:// origin to connect-src (older Safari needs it).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workshops:home"
LOGOUT_REDIRECT_URL = "login"

# French by default; English for whoever asks. A phone and a facilitator's browser get the
# language they chose on the page (a cookie), else their browser's (Accept-Language), else
# French. The wall, the debrief PDF and the rencontre's e-mails speak the rencontre's own
# language (`Rencontre.language`); a personal sheet, its owner's. Pushes are rendered once per
# language present in the room (workshops/live.py).
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Role style sheets with the shared tokens, and live.js with the coach, each one file (see
# rencontres/bundles.py): a phone's first load is a few requests.
STATICFILES_FINDERS = [
    "rencontres.bundles.BundleFinder",
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# In production (DEBUG off), `manage.py collectstatic` writes every file under a name that
# carries its content hash, with gzip and brotli copies beside it; WhiteNoise serves those
# compressed and cached for a year (the name changes when the content does). A phone then
# loads each file once per event instead of revalidating it at every page.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "rencontres.storage.StaticStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The ready half-days (one JSON file each, see workshops/agenda_templates.py), stored as
# templates at each `migrate`; and the one a rencontre starts from when none is chosen (a
# callable returning the agenda as data: the reindustrialisation file).
AGENDA_LIBRARY_DIR = BASE_DIR / "rencontres" / "agendas"
DEFAULT_AGENDA = "rencontres.agendas.reindustrialisation"

# Files uploaded by organisers wait here while their import runs in the background.
IMPORT_DIR = os.environ.get("IMPORT_DIR", str(BASE_DIR / "imports"))

# PDF debriefs made by the background worker are kept here (never served as static or media
# files: the download view checks that the requester facilitates the rencontre).
DEBRIEF_DIR = os.environ.get("DEBRIEF_DIR", str(BASE_DIR / "debriefs"))

# Slow work (imports) runs in a background worker, never in a process serving phones: the
# tasks are rows of the same database, run by `python manage.py db_worker` (started by
# `make demo` beside daphne). No broker to install; a job survives a restart of anything.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# E-mails (a participant's sheet at the end, a reminder the day before each action's due
# date) are sent by the background worker, only to participants who gave an address and
# agreed. Without configuration they are written to the worker's console; set EMAIL_HOST
# (and EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or EMAIL_USE_SSL) to
# send them by SMTP, or EMAIL_BACKEND to any Django backend.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=EMAIL_PORT == 465)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS or EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Rencontres <rencontres@localhost>")
# The address written in e-mails (personal links), e.g. https://rencontres.example.fr.
# Empty: the sheets sent at the end use the address the facilitator's panel was opened at;
# reminders then give the link's path only.
SITE_URL = os.environ.get("SITE_URL", PUBLIC_URL).rstrip("/")

# Participants stay recognised on their phone for the whole event and the weeks after it.
PARTICIPANT_COOKIE_MAX_AGE = 60 * 60 * 24 * 90

# Personal data is kept this many days after a rencontre ends; `manage.py purge` then
# anonymises its participants and personal links stop working.
RETENTION_DAYS = env_int("RETENTION_DAYS", 365)
# Results split by actor type show a group only from this many respondents; smaller groups
# are merged into "Autres" so that no one's answer can be read on the wall.
SPLIT_MIN_GROUP_SIZE = env_int("SPLIT_MIN_GROUP_SIZE", 3)

SESSION_COOKIE_HTTPONLY = True
# Only a TLS-terminating proxy in front may say a request came over HTTPS (X-Forwarded-Proto)
# and who sent it (the last X-Forwarded-For hop); without one, anybody could forge them.
BEHIND_PROXY = env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Cookies travel over HTTPS only; SECURE_COOKIES=0 is for a plain-HTTP server that is not
    # the public one (a benchmark on loopback), never for a deployment.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Slides of talks (images, and the pages of uploaded PDFs once the worker made them) live
# here under random names; never served as media: the slide view checks who asks.
SLIDES_DIR = os.environ.get("SLIDES_DIR", str(BASE_DIR / "slides"))
# The API Recherche d'entreprises (territories/recherche.py): an organiser may fill a territory
# from it instead of a file. Off unless this server may reach the Internet; the API documents
# a limit of 7 requests per second. Answers are cached on disk for a few days.
RECHERCHE_ENTREPRISES_NETWORK = env_bool("RECHERCHE_ENTREPRISES_NETWORK")
RECHERCHE_ENTREPRISES_URL = os.environ.get(
    "RECHERCHE_ENTREPRISES_URL", "https://recherche-entreprises.api.gouv.fr/search"
)
RECHERCHE_ENTREPRISES_PER_SECOND = env_int("RECHERCHE_ENTREPRISES_PER_SECOND", 7)
RECHERCHE_ENTREPRISES_CACHE_DIR = os.environ.get(
    "RECHERCHE_ENTREPRISES_CACHE_DIR", str(Path(IMPORT_DIR) / "cache-recherche-entreprises")
)
RECHERCHE_ENTREPRISES_CACHE_DAYS = env_int("RECHERCHE_ENTREPRISES_CACHE_DAYS", 7)
# A dotted path to another transport (the tests replay recorded answers); empty: urllib.
RECHERCHE_ENTREPRISES_TRANSPORT = os.environ.get("RECHERCHE_ENTREPRISES_TRANSPORT", "")

# How often pages ask the server again by HTTP, in seconds: the parts no push carries (the other
# phones' items and actions, a table's conclusion on its other phones), jobs in progress (an
# import, the debrief PDF, a PDF's slides), and live.js where sockets are blocked (fall back to
# polling after that long without a socket, and try the socket again that often). Templates read them
# through `{% load polling %}`; the browser tests' servers shorten them (tests/server_settings.py).
LIVE_POLL_SECONDS = {
    "others": 20,
    "conclusion": 10,
    "job": 1,
    "deck_converting": 2,
    "fallback_after": 8,
    "socket_probe": 15,
}
# A wall or a control panel waits this long for more changes before re-rendering what changed
# (workshops/consumers.py): a burst of answers costs the wall two renders a second and the panel
# one. The browser tests' servers shorten it too.
LIVE_COALESCE_SECONDS = {"screen": 0.5, "control": 1.0}
