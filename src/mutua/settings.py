"""Mutua's settings, read from the environment, so one package serves every deployment.

| variable | meaning | default |
|---|---|---|
| `MUTUA_DEBUG` | `1` for development | off |
| `MUTUA_SECRET_KEY` | signing key; **required** unless debugging | none: start-up fails |
| `DATABASE_URL` | `postgres://user:pass@host:5432/db` or `sqlite:///path` | `var/mutua.sqlite3` |
| `MUTUA_HOME` | folder for the SQLite file and uploads | `./var` |
| `MUTUA_ALLOWED_HOSTS` | comma-separated host names | `localhost,127.0.0.1` when debugging |
| `MUTUA_CSRF_TRUSTED_ORIGINS` | comma-separated origins behind a proxy | none |
| `MUTUA_EMAIL_HOST`, `_PORT`, `_USER`, `_PASSWORD`, `_USE_TLS` | SMTP server | console backend |
| `MUTUA_DEFAULT_FROM_EMAIL` | sender of mail | `mutua@localhost` |
| `MUTUA_SITE_URL` | public address; NFT metadata URLs start with it | `http://localhost:8000` |
| `MUTUA_CHAIN_BACKEND` | `boa` (in-process EVM) or `web3` (`docs/chain.md`) | `boa` |
| `MUTUA_CHAIN_CUSTODY_SEED` | secret behind members' chain accounts | from the secret key |
| `MUTUA_CHAIN_GAS_TOPUP_WEI` | gas money for a custodial account before it moves a token | `0` |
| `MUTUA_ART_INVESTOR_WORD` | what the art pages call a buyer (`/art/legal/`) | `investor` |
| `MUTUA_SECURE` | `1` behind HTTPS: secure cookies, HSTS, redirect | on unless debugging |
| `MUTUA_RETAIN_DELIVERY_ADDRESS_DAYS` | days a delivered stop keeps its cross streets | `30` |
| `MUTUA_RETAIN_HEALTH_NEEDS_DAYS` | days needs outlive a household's last closed request | `180` |
| `MUTUA_RETAIN_MAIL_DAYS` | days a sent (or failed) mail stays in the queue table | `14` |

SQLite runs in WAL mode with `BEGIN IMMEDIATE` transactions, so readers never block the writer and a
transaction that will write takes the write lock at its start instead of failing half-way.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
HOME = Path(os.environ.get("MUTUA_HOME", Path.cwd() / "var")).resolve()

DEBUG = _env_bool("MUTUA_DEBUG")

SECRET_KEY = os.environ.get("MUTUA_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "MUTUA_SECRET_KEY is not set. Production needs a long random secret, for example: "
            "export MUTUA_SECRET_KEY="
            "\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\" "
            "(or set MUTUA_DEBUG=1 for development only)."
        )
    SECRET_KEY = "django-insecure-development-only-never-in-production"  # noqa: S105

ALLOWED_HOSTS = _env_list("MUTUA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = _env_list("MUTUA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # First, so that Mutua's own templates (sign-in, password reset) win over Django's.
    "mutua.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "axes",
    "mutua.core",
    "mutua.community",
    "mutua.ledger",
    "mutua.currency",
    "mutua.aid",
    "mutua.coop",
    "mutua.gardens",
    "mutua.learning",
    "mutua.chain",
    "mutua.art",
    "mutua.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mutua.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mutua.community.middleware.BearerTokenMiddleware",
    "mutua.community.middleware.PreferredLanguageMiddleware",
    "mutua.core.tenancy.CommunityScopeMiddleware",
    "mutua.web.nul.NulCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mutua.web.errors.DomainErrorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mutua.urls"
WSGI_APPLICATION = "mutua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mutua.web.context.navigation",
            ],
        },
    }
]

# --- database ------------------------------------------------------------------------------------
HOME.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{HOME / 'mutua.sqlite3'}",
        conn_max_age=int(os.environ.get("MUTUA_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(HOME / "test-mutua.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- people and sign-in --------------------------------------------------------------------------
AUTH_USER_MODEL = "community.Member"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "mutua.community.backends.MemberBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# Login throttling (django-axes): five failures for one handle from one address lock that pair out
# for fifteen minutes; a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("MUTUA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("MUTUA_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- static files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("MUTUA_STATIC_ROOT", HOME / "static"))
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
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = HOME / "media"
MEDIA_URL = "/media/"

# --- mail ----------------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("MUTUA_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("MUTUA_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("MUTUA_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("MUTUA_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("MUTUA_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("MUTUA_DEFAULT_FROM_EMAIL", "mutua@localhost")

# --- background work -----------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- security ------------------------------------------------------------------------------------
SECURE = _env_bool("MUTUA_SECURE", not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = SECURE and _env_bool("MUTUA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy is set by `mutua.web.security.ContentSecurityPolicyMiddleware`, placed
# before WhiteNoise so static files carry it too.

# --- API -----------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MUTUA_LOG_LEVEL", "INFO")},
    "loggers": {"django_tasks": {"level": "WARNING"}, "django_tasks_db": {"level": "WARNING"}},
}

# Art for land: the public address in NFT metadata URLs, and gas for custodial accounts.
MUTUA_SITE_URL = os.environ.get("MUTUA_SITE_URL", "http://localhost:8000").rstrip("/")
MUTUA_CHAIN_GAS_TOPUP_WEI = int(os.environ.get("MUTUA_CHAIN_GAS_TOPUP_WEI", "0") or 0)
MUTUA_ART_INVESTOR_WORD = os.environ.get("MUTUA_ART_INVESTOR_WORD", "").strip() or "investor"

# Privacy: how long personal details outlive their use (`mutua privacy apply`, docs/privacy.md).
MUTUA_RETAIN_DELIVERY_ADDRESS_DAYS = int(os.environ.get("MUTUA_RETAIN_DELIVERY_ADDRESS_DAYS") or 30)
MUTUA_RETAIN_HEALTH_NEEDS_DAYS = int(os.environ.get("MUTUA_RETAIN_HEALTH_NEEDS_DAYS") or 180)
MUTUA_RETAIN_MAIL_DAYS = int(os.environ.get("MUTUA_RETAIN_MAIL_DAYS") or 14)
