"""Settings, read from the environment only (see README "Configuration").

Safe defaults for production: DEBUG off, a secret key required, secure cookies when not
debugging. SQLite under ./var/ unless DATABASE_URL names another database.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("SERENDIP_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()


def _bool(name: str, default: bool) -> bool:
    """Read a boolean; reject anything that is not clearly one rather than guessing."""
    raw = env.str(name, default="")
    if raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false)")


def _secret(name: str) -> str | None:
    """A secret from NAME, or from the file NAME_FILE names (for Docker/systemd secrets)."""
    if env.str(name, default=""):
        return env.str(name)
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r} cannot be read: {exc}") from exc
    return None


DEBUG = _bool("DEBUG", False)
SECRET_KEY = _secret("SECRET_KEY") or ""
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY (or SECRET_KEY_FILE) must be set; `make demo` writes one to var/secret_key"
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The network's operator: the seller on room invoices of spaces without their own company details
# (Space.legal_name/address/vat_id/iban in the admin). An EU invoice needs all of these.
INVOICE_OPERATOR = {
    "name": env.str("INVOICE_OPERATOR_NAME", default="Serendip Network B.V."),
    "address": env.str("INVOICE_OPERATOR_ADDRESS", default="Oudegracht 1, 3511 AA Utrecht, NL"),
    "vat_id": env.str("INVOICE_OPERATOR_VAT_ID", default="NL000000000B01"),
    "iban": env.str("INVOICE_OPERATOR_IBAN", default="NL00BANK0000000000"),
    "bic": env.str("INVOICE_OPERATOR_BIC", default="BANKNL2A"),
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves Swagger UI's files (/api/v1/docs) from our static files, not a CDN the CSP blocks
    "axes",
    "django_tasks",
    "django_tasks_db",
    "serendip",  # the project itself: templates, static files, the demo command
    "serendip.passport",
    "serendip.network",
    "serendip.presence",
    "serendip.ledger",
    "serendip.onboarding",
    "serendip.exchange",
    "serendip.insights",
    "serendip.experiments",  # above the domains: the randomised hold-out (issue 18)
    "serendip.rights",
    "serendip.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "serendip.site.middleware.api_method_not_allowed",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Django's LocaleMiddleware extended with the member's and the space's language (its docstring
    # says the order); after authentication, which it reads.
    "serendip.site.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # last, per django-axes: it turns a lockout into a 429 page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "serendip.urls"
WSGI_APPLICATION = "serendip.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "serendip" / "templates"],  # first, so admin/base_site.html overrides the admin's
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "serendip.notifications.context_processors.bell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'serendip.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, with writers queueing on a lock file (serendip/backends/sqlite3).
    DATABASES["default"]["ENGINE"] = "serendip.backends.sqlite3"
    # Tests: in memory, as Django does for its own SQLite backend (said explicitly, because
    # pytest-django's xdist naming only recognises Django's engine name).
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
    if not env.str("DATABASE_URL", default=""):
        VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default lives under ./var/
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing
    # with "database is locked" halfway through a transaction.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # WAL lets readers run beside the writer; NORMAL syncs at checkpoints, not every
            # commit: safe against crashes of the app (not of the machine) and much faster.
            # A 32 MB page cache and 256 MB of mmap per connection keep a seed-scale network's
            # hot index pages in memory; a WAL checkpoint every 10,000 pages (not 1,000) copies
            # each often-written page back once per checkpoint (BENCHMARKS.md).
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA mmap_size=268435456; PRAGMA cache_size=-32768; PRAGMA wal_autocheckpoint=10000;",
        }
    )
# Persistent connections on both databases: opening one per request costs more than most
# requests (on SQLite, closing the last connection also checkpoints the WAL).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Failed logins: 5 tries per username+IP, then 15 minutes out (pages and the API token endpoint).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "serendip.site.views.lockout_response"
# The client's address by the same rule as the throttles (NUM_PROXIES), so behind a proxy a
# lockout hits the client, not the proxy's address (which would lock every user out).
AXES_CLIENT_IP_CALLABLE = "serendip.passport.auth.client_ip"
AXES_USERNAME_CALLABLE = "serendip.passport.auth.axes_username"  # bounded, no NUL
# Per-IP limits on the login and sign-up pages' POSTs (the API's token endpoint has its own).
LOGIN_RATE = env.str("LOGIN_RATE", default="30/m")
SIGNUP_RATE = env.str("SIGNUP_RATE", default="10/h")
# Database sessions that know their user, for "sign out everywhere" (passport/sessions.py).
SESSION_ENGINE = "serendip.passport.sessions"
AXES_ENABLED = _bool("AXES_ENABLED", True)

CACHES = {
    # Shared by all web processes, so throttles hold across gunicorn workers.
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "serendip_cache"},
}

LANGUAGE_CODE = "en"
# The three languages (issue 16), each named in itself so the switcher reads right in any language.
LANGUAGES = [("en", "English"), ("nl", "Nederlands"), ("it", "Italiano")]
# One catalogue for the whole project: `make messages` writes it, the install compiles it.
LOCALE_PATHS = [BASE_DIR / "serendip" / "locale"]
# Dates and times per language: Django's, a British English, and the named formats the pages use
# (serendip/formats/__init__.py lists them).
FORMAT_MODULE_PATH = ["serendip.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and _bool("STATIC_MANIFEST", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# API tokens: how long a new token lives.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
NINJA_NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Security: strict unless DEBUG. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER.
SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = _bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if _bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # Preloading is a one-way commitment an operator must choose; not a default.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# --- Ledger log (issue 5: the verifiable social-capital log) ---------------------------------
# The checkpoint origin: by tlog-tiles, the log's URL prefix without scheme or trailing slash.
_site = SITE_URL.split("://", 1)[-1].rstrip("/")
LEDGER_ORIGIN = env.str("LEDGER_ORIGIN", default=f"{_site}/ledger")
if not LEDGER_ORIGIN or any(c.isspace() or c == "+" for c in LEDGER_ORIGIN):
    raise ImproperlyConfigured(f"LEDGER_ORIGIN={LEDGER_ORIGIN!r} must be non-empty, without spaces or '+'")
# The log's note signer key (PRIVATE+KEY+<name>+<id>+<key>, `serendip ledger keygen`). When neither
# is set, one is generated on first use and kept in VAR_DIR/ledger_signer_key (mode 600).
LEDGER_SIGNER_KEY = _secret("LEDGER_SIGNER_KEY")
LEDGER_SIGNER_KEY_PATH = VAR_DIR / "ledger_signer_key"
# Witnesses asked for cosignatures by `serendip ledger publish`: comma-separated
# "<witness verifier key> <URL prefix>" pairs, e.g. "w.example/utrecht+1a2b3c4d+BASE64 https://w.example".
LEDGER_WITNESSES = []
for _item in env.str("LEDGER_WITNESSES", default="").split(","):
    if not _item.strip():
        continue
    _parts = _item.split()
    if len(_parts) != 2 or not _parts[1].startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"LEDGER_WITNESSES entry {_item.strip()!r} is not '<vkey> <http(s) URL>'")
    LEDGER_WITNESSES.append({"vkey": _parts[0], "url": _parts[1].rstrip("/")})
# The checkpoint endpoint signs a new checkpoint for new entries at most this often (seconds);
# proofs of transactions newer than the latest checkpoint integrate at once.
LEDGER_CHECKPOINT_INTERVAL = env.float("LEDGER_CHECKPOINT_INTERVAL", default=5.0)
LEDGER_WITNESS_TIMEOUT = env.float("LEDGER_WITNESS_TIMEOUT", default=10.0)
# --- end Ledger log ------------------------------------------------------------------------------

# The matching index every web process maps read-only (generations of .npy arrays and a CURRENT
# pointer; serendip/exchange/machine.py). Local disk: memory maps over a network share do not share.
MATCHING_SNAPSHOT_DIR = Path(env.str("SERENDIP_MATCHING_SNAPSHOT_DIR", default=str(VAR_DIR / "matching")))
# --- Rights: export, erasure, credentials (README "Your data") -----------------------------------
# The network's credential issuer key: an Ed25519 secret key as a Multikey (z3u2...). When neither
# is set, one is generated on first use and kept in VAR_DIR/credentials_issuer_key (mode 600).
CREDENTIALS_ISSUER_KEY = _secret("CREDENTIALS_ISSUER_KEY")
CREDENTIALS_ISSUER_KEY_PATH = VAR_DIR / "credentials_issuer_key"
CREDENTIALS_VALID_DAYS = env.int("CREDENTIALS_VALID_DAYS", default=365)
# Invoices of a deleted passport are kept this many years after the end of their year (the Dutch
# and Italian fiscal retention periods are 7 and 10 years: set it for your country), then removed
# by `serendip rights purge`.
INVOICE_RETENTION_YEARS = env.int("INVOICE_RETENTION_YEARS", default=7)
# --- Reach (issue 14): email, background work, notifications ----------------------------------
# One EMAIL_URL: smtp://user:pass@host:587 (smtp+tls://, smtps://), consolemail://, filemail://<dir>.
# Default: Django's file backend under VAR_DIR/outbox, so a demo needs no SMTP server.
_email_url = env.str("EMAIL_URL", default="") or f"filemail://{VAR_DIR / 'outbox'}"
_email = environ.Env.email_url_config(_email_url)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _key in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
    if _email.get(_key) not in (None, ""):
        globals()[_key] = _email[_key]
if EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    # django-environ drops the leading "/" of filemail:///abs/path; keep the path as written.
    _parts = urlsplit(_email_url)
    EMAIL_FILE_PATH = str((BASE_DIR / (_parts.netloc + _parts.path)).resolve())
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL", False))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Serendip <noreply@serendip.example>")
# Emails about notifications a member gets per day at most; the rest wait for the daily digest.
EMAIL_DAILY_CAP = env.int("EMAIL_DAILY_CAP", default=10)
# Parallel email senders of one worker on PostgreSQL (SQLite: one), when there is a backlog.
EMAIL_SENDERS = env.int("EMAIL_SENDERS", default=4)
# /outbox/: a page listing the emails sent (for a demo without a mail server). Off unless DEBUG.
EMAIL_OUTBOX_PAGE = _bool("EMAIL_OUTBOX_PAGE", DEBUG)
# How often the header's bell asks for the unread count (seconds).
BELL_POLL_SECONDS = env.int("BELL_POLL_SECONDS", default=20)
# Password reset requests per client IP per hour (the answer is the same whether or not the
# address exists).
PASSWORD_RESET_PER_HOUR = env.int("PASSWORD_RESET_PER_HOUR", default=5)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link lives a day
# The worker tells followers of a check-in once it is this old (its transaction has surely
# committed, and so has any check-in with a smaller id): the delay of a "checked in" notification.
CHECKIN_FANOUT_SETTLE_SECONDS = env.float("CHECKIN_FANOUT_SETTLE_SECONDS", default=5.0)
# Django's tasks framework (django-tasks) on its database backend: `serendip worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# --- end Reach -----------------------------------------------------------------------------------
