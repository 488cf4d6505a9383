"""Django settings for materiel, read from the environment.

MATERIEL_DATA_DIR   folder for the SQLite database (default ./data)
DATABASE_URL        e.g. postgres://user:pass@host:5432/materiel; SQLite when unset
MATERIEL_MIGRATE_DATABASE_URL   the same database as the tables' owner, for migrate (core.dbroles)
SECRET_KEY          required when DEBUG is off
DEBUG               "1" to enable
MATERIEL_DEVTOOLS   "1" to install the development tools (`materiel bench`); off in production
ALLOWED_HOSTS       comma-separated
MATERIEL_SEAL_KEY_FILE, MATERIEL_SEAL_FILE   the seals' HMAC key and the append-only seal file
"""

import os
import tempfile
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MATERIEL_DATA_DIR", Path.cwd() / "data"))


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


DEBUG = env_flag("DEBUG")
# A demo or test run works without a key; a production deployment sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "materiel-local-only-not-for-production"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # In INSTALLED_APPS so that the interactive API docs use ninja's bundled assets, not a CDN.
    "ninja",
    # Background tasks (large imports) through the django-tasks API, queued in our own database.
    "django_tasks",
    "django_tasks_db",
    "materiel.core",
    "materiel.units",
    "materiel.accounts",
    "materiel.catalog",
    "materiel.equipment",
    "materiel.ledger",
    "materiel.documents",
    "materiel.maintenance",
    "materiel.storage",
    "materiel.workorders",
    "materiel.disposal",
    "materiel.inspections",
    "materiel.counts",
    "materiel.people",
    "materiel.resolutions",
    "materiel.demo",
    "materiel.imports",
    "materiel.reports",
    "materiel.api",
    "materiel.web",
]
# The benchmark (`materiel bench`, make bench) is a development tool: a production server does not
# carry its commands and data generators. The tests install it (tests/settings.py).
if env_flag("MATERIEL_DEVTOOLS"):
    INSTALLED_APPS.append("materiel.bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "materiel.core.middleware.NoStoreMiddleware",
    "materiel.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "materiel.core.middleware.SessionMiddleware",
    "materiel.web.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "materiel.web.middleware.LoginRequiredMiddleware",
    "materiel.accounts.middleware.TwoFactorMiddleware",
    # After sign-in and two-factor checks: a replayed write is answered from what its key remembers.
    "materiel.core.idempotency.IdempotencyMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username+address is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "materiel.urls"
WSGI_APPLICATION = "materiel.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "materiel.web.context.navigation",
            ],
            "builtins": ["materiel.core.templatetags.idempotency"],
        },
    },
]


def owner_config() -> dj_database_url.DBConfig | None:
    """The tables' owner, who migrates (core.dbroles); None: DATABASE_URL's role does everything."""
    url = os.environ.get("MATERIEL_MIGRATE_DATABASE_URL", "")
    if not url or not os.environ.get("DATABASE_URL"):
        return None
    return dj_database_url.parse(url)


def database_config() -> Mapping[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        config = dj_database_url.parse(url, conn_max_age=60)
        # No JIT: our heavy queries are short (tens to hundreds of milliseconds), and compiling them
        # cost 80-110 ms each in EXPLAIN ANALYZE (the past-day correction, the items fold).
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "materiel.sqlite3",
        "OPTIONS": {
            # WAL lets readers run beside the writer; synchronous=FULL makes a committed event
            # survive a power cut; IMMEDIATE takes the write lock at BEGIN so two writers queue
            # instead of failing half-way with "database is locked".
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=FULL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA cache_size=-65536;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Tests use a real file too: an in-memory shared-cache database locks whole tables and ignores
        # busy_timeout, so concurrent writers would behave unlike production.
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"materiel-test-{os.getpid()}.sqlite3")},
    }


DATABASES = {"default": database_config()}
MATERIEL_DB_OWNER = owner_config()

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The due board (docs/maintenance.md): a plan warns "due soon" within this share of its interval or
# this many days of its projected due date (each plan may set its own); usage rates are measured
# over the readings of this many days.
MATERIEL_DUE_SOON_PERCENT = 10
MATERIEL_DUE_SOON_DAYS = 14
MATERIEL_USAGE_DAYS = 90

# A process running an import step renews its lease this often (a quarter of it); when the lease runs
# out the process is taken to be gone and the job is marked failed (imports.progress.heartbeat).
IMPORT_LEASE_SECONDS = float(os.environ.get("MATERIEL_IMPORT_LEASE_SECONDS", "60"))

# Live progress of background imports, shared between the worker and the web processes without
# touching the database: on SQLite an import holds the write lock for its whole transaction.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "progress"),
        "TIMEOUT": 24 * 3600,
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "materiel.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Django's stock "vi" formats read 05/02/2025 as 2 May; ours read it as 5 February.
FORMAT_MODULE_PATH = ["materiel.formats"]
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("MATERIEL_STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the apps' static folders: a demo needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Signed-in sessions end after this many minutes without a request (each request restarts the clock).
SESSION_COOKIE_AGE = int(os.environ.get("MATERIEL_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = False  # core.middleware.SessionMiddleware extends it, at most every 1/30 of it
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Lockout after repeated failures, keyed on username AND address together.
AXES_FAILURE_LIMIT = int(os.environ.get("MATERIEL_LOCKOUT_FAILURES", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("MATERIEL_LOCKOUT_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "materiel"

# Nothing but the server itself: no CDN, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Production: MATERIEL_PRODUCTION=1 turns on HTTPS-only cookies and HSTS and insists on a real key.
# `materiel check --deploy` with these settings must report nothing.
PRODUCTION = env_flag("MATERIEL_PRODUCTION")
if PRODUCTION:
    if len(os.environ.get("SECRET_KEY", "")) < 50:
        raise ImproperlyConfigured("MATERIEL_PRODUCTION needs SECRET_KEY of at least 50 random characters.")
    DEBUG = False
    SECURE_SSL_REDIRECT = env_flag("MATERIEL_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env_flag("MATERIEL_BEHIND_PROXY"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Technical coefficient defaults; the effective policy is reference data (catalog.CoefficientPolicy).
MATERIEL_DEFAULT_SERVICEABLE_GRADES = (1, 2)
# The address users reach the server by (e.g. "https://materiel.intranet"), written into the QR codes of
# equipment labels; empty: the address of the request that printed the label.
MATERIEL_BASE_URL = os.environ.get("MATERIEL_BASE_URL", "")

# Tamper evidence (ledger.sealing): the HMAC key of the seals and the append-only file every seal is
# copied to, both outside the database. The defaults suit development; production puts the key
# elsewhere, owned by the service user and readable by it alone (docs/security.md).
MATERIEL_SEAL_KEY_FILE = Path(os.environ.get("MATERIEL_SEAL_KEY_FILE", DATA_DIR / "seal.key"))
MATERIEL_SEAL_FILE = Path(os.environ.get("MATERIEL_SEAL_FILE", DATA_DIR / "seals.txt"))
