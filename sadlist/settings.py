"""
Settings for Sadlist, read from environment variables.

Development is the convenient default (DEBUG on, SQLite file in the project);
production is switched on by DEBUG=false and then refuses to start without a
real SECRET_KEY.
"""

import ipaddress
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_seconds(name, default):
    """A duration in seconds, fractions allowed; 0 where the setting says it turns a limit off."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1
    if not 0 <= seconds < float("inf"):
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {value!r}.")
    return seconds


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name):
    """Comma-separated IP addresses or networks (10.0.0.0/8)."""
    networks = []
    for item in env_list(name):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks (such as 10.0.0.0/8), not {item!r}."
            ) from None
    return tuple(networks)


def git_commit():
    """The checkout's commit, or "unreleased" when this is not a git checkout."""
    head = BASE_DIR / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            ref_path = BASE_DIR / ".git" / ref[5:]
            if ref_path.exists():
                return ref_path.read_text().strip()[:12]
            packed = (BASE_DIR / ".git" / "packed-refs").read_text().splitlines()
            return next(line.split()[0][:12] for line in packed if line.endswith(ref[5:]))
        return ref[:12]
    except (OSError, StopIteration):
        return "unreleased"


DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set: production (DEBUG=false) needs a long random SECRET_KEY."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "csp",
    "sadlist.apps.SadlistConfig",
    "axes",
    "catalogue",
    "reviews",
    "pages",
    "accounts",
    "api",
]

# The request id comes first so that every line logged for a request carries it.
# The header-setting middleware sit above WhiteNoise because WhiteNoise answers
# static files itself: anything below it never sees those responses.
MIDDLEWARE = [
    "sadlist.middleware.RequestIdMiddleware",
    "sadlist.database.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, handed the member its session was read with (accounts.middleware).
    "accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Marks a member's own writes, and makes every response private unless a view
    # said it may be shared (sadlist.freshness).
    "sadlist.freshness.OwnWritesMiddleware",
    # Lets other sites read the JSON API (api.middleware).
    "api.middleware.ApiMiddleware",
    # Last, as django-axes asks: it turns a sign-in lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sadlist.urls"
WSGI_APPLICATION = "sadlist.wsgi.application"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]


# How long the database may take, so that a database that is down or hung costs a
# request a few seconds and a 503 (sadlist.database), well inside gunicorn's timeout,
# instead of holding the worker until gunicorn kills it. Connecting (PostgreSQL):
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 3)
# One statement (PostgreSQL's statement_timeout), or waiting for another writer's lock
# (SQLite's busy timeout). Operators lift it for one long command with
# DATABASE_STATEMENT_TIMEOUT=0 (no limit; SQLite then waits up to an hour).
DATABASE_STATEMENT_TIMEOUT = env_seconds("DATABASE_STATEMENT_TIMEOUT", 20)


def database_from_url(url):
    """Turn DATABASE_URL into Django's DATABASES entry, explaining a bad URL in one line."""
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("CONN_MAX_AGE", 60))
    except Exception as error:  # dj-database-url raises several types for bad URLs
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        if not config.get("NAME"):
            raise ImproperlyConfigured("DATABASE_URL for SQLite needs a file path.")
        # Kept between requests too (CONN_MAX_AGE): opening one means reading the
        # schema, its PRAGMAs and Django's functions again, for every request.
        config["OPTIONS"] = {**SQLITE_OPTIONS, "timeout": DATABASE_STATEMENT_TIMEOUT or 3600}
        # Django's backend, rewriting each statement's placeholders once (sadlist.sqlite3).
        config["ENGINE"] = "sadlist.sqlite3"
        # Tests run on a file too, so that threads in concurrency tests really compete
        # for SQLite's write lock as app processes would.
        config["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
    elif engine == "django.db.backends.postgresql":
        if not config.get("NAME"):
            raise ImproperlyConfigured("DATABASE_URL for PostgreSQL needs a database name.")
        # Django's backend, with a health check of kept connections that gives up.
        config["ENGINE"] = "sadlist.postgresql"
        config["CONN_HEALTH_CHECKS"] = True
        config["OPTIONS"] = postgresql_options(config.get("OPTIONS", {}))
    else:
        raise ImproperlyConfigured(
            f"DATABASE_URL must point to SQLite or PostgreSQL, not {engine or url!r}."
        )
    return config


# psycopg prepares a statement the connection has sent this many times (its default;
# Django turns preparing off unless told).
PREPARE_AFTER = 5


def postgresql_options(options):
    """
    The URL's options with the connect and statement timeouts added, and server-side
    binding: the parameters travel apart from the query, so psycopg can prepare a
    query the connection has sent a few times (its prepare_threshold), and the server
    stops parsing and planning the same few statements on every request (what every
    page and write starts with: the session, the member, the title). A pooler in
    transaction mode in front of PostgreSQL would have to keep prepared statements
    across its server connections (PgBouncer does since 1.21).
    """
    options = dict(options)
    options.setdefault("server_side_binding", True)
    options.setdefault("prepare_threshold", PREPARE_AFTER)
    options["connect_timeout"] = DATABASE_CONNECT_TIMEOUT
    timeout_ms = round(DATABASE_STATEMENT_TIMEOUT * 1000)
    options["options"] = f"{options.get('options', '')} -c statement_timeout={timeout_ms}".strip()
    return options


# SQLite serves several writers at once: WAL lets readers carry on during a write,
# IMMEDIATE transactions take the write lock up front (no deadlock on upgrade), and
# the busy timeout (DATABASE_STATEMENT_TIMEOUT) makes a writer wait its turn instead of
# failing. The write-ahead log is copied back into the database every 10,000 pages
# (about 40 MB) rather than SQLite's 1,000: a rating writes a dozen pages, many of
# them the same few (a title's stats, the indexes' newest leaves), and each copy
# writes a page once however often it changed since the last, and syncs the disk
# twice. Rating POSTs wrote 55 MB/s at 1,000 pages and 43 MB/s at 10,000, and ran
# 4% faster (bench/README.md). Once copied back, a log that grew past 64 MB (a long
# read holds the copy back) is cut back to that.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA wal_autocheckpoint=10000; PRAGMA journal_size_limit=67108864;"
    ),
}

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_from_url(url):
    """
    Redis when REDIS_URL is set, so that every app server shares one cache and one
    set of rate limits; otherwise a cache inside each process (see sadlist.checks).
    A Redis that is down or hung slows no page (sadlist.cache): each call gives up after
    CACHE_TIMEOUT seconds, and after a failure Redis is skipped for CACHE_RETRY_AFTER.
    """
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sadlist"}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"REDIS_URL must start with redis://, rediss:// or unix://, not {url!r}."
        )
    return {
        "BACKEND": "sadlist.cache.FailFastRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "sadlist"),
        "RETRY_AFTER": env_seconds("CACHE_RETRY_AFTER", 5),
        "OPTIONS": {
            "socket_connect_timeout": env_seconds("CACHE_CONNECT_TIMEOUT", 0.5) or None,
            "socket_timeout": env_seconds("CACHE_TIMEOUT", 0.5) or None,
        },
    }


REDIS_URL = env_str("REDIS_URL")
CACHES = {"default": cache_from_url(REDIS_URL)}

# Sessions live in the database, with or without Redis: one primary-key read per
# signed-in request, and a Redis outage or flush neither signs members out nor breaks
# their pages. (cached_db would save that read, but it raises when Redis is down and
# makes page query counts differ between tests and production.) accounts.sessions is
# Django's database store with that read written as SQL, reading the member with it.
SESSION_ENGINE = "accounts.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts: our own templates for Django's auth views; members come back where they were.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "catalogue:home"
LOGOUT_REDIRECT_URL = "catalogue:home"
AUTHENTICATION_BACKENDS = [
    # Refuses sign-in while a limit below is reached, before checking passwords.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the member of each request with less work; the
    # second only keeps sessions signed in before it (accounts.backends).
    "accounts.backends.MemberBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in throttling (django-axes with accounts.signin.SignInThrottle; the README's
# "Members, email and abuse limits" says the same for operators). Failures are counted in
# the database, so the limits hold across every app process:
# - SIGNIN_FAILURE_LIMIT failures for one account from one address pause that account
#   from that address only: nobody elsewhere can lock a member out.
# - SIGNIN_ADDRESS_FAILURE_LIMIT failures from one address, over all accounts, pause
#   that address: far higher, so members sharing a campus or carrier address do not
#   reach it, while one password tried on many accounts does.
# Each lifts SIGNIN_COOLOFF_MINUTES after the failure that reached it; tries during a
# pause are not counted, so they cannot stretch it. A success does not reset the count:
# otherwise an attacker could sign in to their own account between guesses.
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", 50)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "accounts.signin.SignInThrottle"
AXES_LOCKOUT_CALLABLE = "accounts.signin.lockout_response"
AXES_USERNAME_CALLABLE = "accounts.signin.throttle_username"
AXES_CLIENT_IP_CALLABLE = "accounts.signin.client_address"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# The load balancers and proxies in front of the app (addresses or networks). Only a
# request arriving from one of them has its X-Forwarded-For read, right to left.
if env_str("PROXIES_IN_FRONT", "0") != "0":
    raise ImproperlyConfigured(
        "PROXIES_IN_FRONT is replaced by TRUSTED_PROXIES: list the load balancers' "
        "addresses or networks (e.g. TRUSTED_PROXIES=10.0.0.2,10.0.1.0/24)."
    )
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

# Comment limits per member, counted from the comments table (so across processes).
COMMENTS_PER_MINUTE = env_int("COMMENTS_PER_MINUTE", 5)
COMMENTS_PER_DAY = env_int("COMMENTS_PER_DAY", 30)
# Title suggestions one member may have waiting at once, and make in a day.
SUGGESTIONS_OPEN = env_int("SUGGESTIONS_OPEN", 3)
SUGGESTIONS_PER_DAY = env_int("SUGGESTIONS_PER_DAY", 5)

# The JSON API's limits per minute, per member (by token) or per address; counted in the
# cache, so across every app process when REDIS_URL is set. 0 turns a limit off.
API_READS_PER_MINUTE = env_int("API_READS_PER_MINUTE", 120)
API_WRITES_PER_MINUTE = env_int("API_WRITES_PER_MINUTE", 30)

# Email (password reset): printed to the console in development; SMTP in production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Sadlist <no-reply@sadlist.invalid>")
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
# App servers serve uploads from MEDIA_ROOT themselves (a folder every server
# mounts), with the site's security headers. Turn off when a web server or an
# object store (django-storages, see README) serves MEDIA_URL instead.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

# Uploaded posters: the largest file and the most pixels accepted. The pixel limit is
# checked from the image header before anything is decoded, so it also bounds memory:
# a worker checking the costliest image at this limit stays under 200 MB (2500×4000 is
# still three times the 2000×3000 of a large poster; see bench/README.md).
POSTER_MAX_BYTES = env_int("POSTER_MAX_BYTES", 5 * 1024 * 1024)
POSTER_MAX_PIXELS = env_int("POSTER_MAX_PIXELS", 10_000_000)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}


# How fresh pages are (README, "How pages stay fresh"; sadlist.freshness): other
# members' ratings and comments reach everyone within this many seconds; a member's
# own writes, curators' and moderators' changes and deploys reach everyone at once.
# 0 builds every page afresh (exact, and slow under load).
FRESHNESS_SECONDS = env_seconds("FRESHNESS_SECONDS", 10)

# Names the code that is running, so that no cache serves HTML built by another release.
# Deploys set RELEASE (a git commit, a version); a checkout falls back to its commit.
RELEASE = env_str("RELEASE") or git_commit()

# Tear score: a damped mean that pulls titles with few ratings toward the site-wide mean
# (reviews.models.TearPrior). The weight is how many ratings the prior counts as.
TEAR_SCORE_PRIOR_WEIGHT = env_int("TEAR_SCORE_PRIOR_WEIGHT", 5)
if TEAR_SCORE_PRIOR_WEIGHT < 1:
    raise ImproperlyConfigured("TEAR_SCORE_PRIOR_WEIGHT must be 1 or more.")
# The stored site-wide mean is refreshed when it is off by more than this many tears,
# or older than TEAR_PRIOR_MAX_AGE seconds; each app process looks at most once every
# TEAR_PRIOR_CHECK_SECONDS (after a rating). `manage.py refresh_tear_prior` forces it.
TEAR_PRIOR_TOLERANCE = 0.01
TEAR_PRIOR_MAX_AGE = env_seconds("TEAR_PRIOR_MAX_AGE", 3600)
TEAR_PRIOR_CHECK_SECONDS = env_seconds("TEAR_PRIOR_CHECK_SECONDS", 60)
# Titles with fewer ratings than this carry a "few ratings yet" note.
FEW_RATINGS_THRESHOLD = 5
# A cause counts for a title (browse's avoid and seek filters) once this many of its
# raters named it and they are at least this share (percent) of its raters: the share
# keeps one loud rater of a quiet title from tagging it, the count keeps a title with
# two ratings from being tagged by one of them.
CAUSE_MIN_RATERS = 3
CAUSE_MIN_SHARE = 20

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Load balancers probe over plain HTTP on the private side; a redirect to https
# would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# One policy for development and production, so a page that breaks under it breaks
# on the developer's laptop first. Inline scripts need {{ CSP_NONCE }}; the nonce
# is only added to the header on responses that used it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sadlist.middleware.RequestIdLogFilter"}},
    "formatters": {"one_line": {"()": "sadlist.middleware.OneLineFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": sys.stdout,
            "filters": ["request_id"],
            "formatter": "one_line",
        }
    },
    "root": {"handlers": ["stdout"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Our request line already says "GET /x 404"; Django's own copy adds nothing.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
    },
}
