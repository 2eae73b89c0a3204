"""Steady's settings: one file, read from the environment.

Every value a deployment may change is an environment variable listed in the README with its
default. Bad values stop the process with a message that names the variable.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from clinic.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

_DEV_SECRET_KEY = "django-insecure-steady-development-only"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG off) needs a long random SECRET_KEY; "
            "for local development set DEBUG=1."
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: use at least 50 random characters, "
        "for example from `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )

# The audit trail's chain is keyed with HMAC-SHA256 (clinic/audit/chain.py). The key lives in the
# environment only, never in the database, so whoever can write the audit table cannot forge rows.
# AUDIT_HMAC_KEY signs new rows under AUDIT_HMAC_KEY_ID; after a rotation the old keys stay in
# AUDIT_HMAC_OLD_KEYS ("id:key,id:key") so rows they signed still verify (README "Audit trail").
_DEV_AUDIT_HMAC_KEY_ID = "dev"
_DEV_AUDIT_HMAC_KEY = "steady-development-only-audit-key"
AUDIT_HMAC_KEY_ID = env_str("AUDIT_HMAC_KEY_ID", "1")
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY")
if not AUDIT_HMAC_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "AUDIT_HMAC_KEY is not set. Production (DEBUG off) needs a random key of at least 32 "
            "characters for the audit trail, kept outside the database; see the README's Audit trail section."
        )
    AUDIT_HMAC_KEY_ID, AUDIT_HMAC_KEY = _DEV_AUDIT_HMAC_KEY_ID, _DEV_AUDIT_HMAC_KEY
AUDIT_HMAC_KEYS = {AUDIT_HMAC_KEY_ID: AUDIT_HMAC_KEY}
for _entry in env_list("AUDIT_HMAC_OLD_KEYS"):
    _old_id, _, _old_key = _entry.partition(":")
    if not _old_id or not _old_key or _old_id in AUDIT_HMAC_KEYS:
        raise ImproperlyConfigured(
            "AUDIT_HMAC_OLD_KEYS must list id:key pairs, separated by commas, with ids unlike AUDIT_HMAC_KEY_ID's."
        )
    AUDIT_HMAC_KEYS[_old_id] = _old_key
if not re.fullmatch(r"[A-Za-z0-9_.-]{1,16}", AUDIT_HMAC_KEY_ID) or any(
    not re.fullmatch(r"[A-Za-z0-9_.-]{1,16}", key_id) for key_id in AUDIT_HMAC_KEYS
):
    raise ImproperlyConfigured("Audit key ids are 1 to 16 letters, digits, '.', '_' or '-'.")
if not DEBUG and (AUDIT_HMAC_KEY == _DEV_AUDIT_HMAC_KEY or len(AUDIT_HMAC_KEY) < 32):
    raise ImproperlyConfigured(
        "AUDIT_HMAC_KEY is too weak for production: use at least 32 random characters, "
        "for example from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
    )
# The chain's head (count and last hash) is appended here, one JSON line each time, by
# `manage.py record_audit_head` and by every `verify_audit_chain`. Keep it where the database's
# users cannot write (another disk or host in production); verification compares with its last line.
AUDIT_HEAD_FILE = Path(env_str("AUDIT_HEAD_FILE", str(BASE_DIR / "audit-head.jsonl")))

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
# DEBUG pages show settings and tracebacks: never on a host that the outside world can reach.
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]", "testserver"}
if DEBUG:
    _public = [h for h in ALLOWED_HOSTS if h not in _LOCAL_HOSTS and not h.endswith(".localhost")]
    if _public:
        raise ImproperlyConfigured(
            f"DEBUG=1 is refused with a public host in ALLOWED_HOSTS ({', '.join(_public)}). "
            "DEBUG is for a developer's machine only; unset DEBUG in production."
        )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public address, in every link sent to a patient. A guessed default would send patients to
# the wrong place, so production must say it.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL is not set. Production (DEBUG off) needs the public address patients open, "
        "for example SITE_URL=https://steady.example.org; for local development set DEBUG=1."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "clinic.accounts",
    "clinic.audit",
    "clinic.patients",
    "clinic.assessments",
    "clinic.selfreport",
    "clinic.guidance",
    "clinic.dashboard",
    "clinic.oversight",
    "clinic.ops",
]

MIDDLEWARE = [
    # Outermost, so the request's log line includes time spent in every other middleware.
    "clinic.ops.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Security: second factor, CSP, session lifetime, the two-factor gate, no-store; axes last.
    "django_otp.middleware.OTPMiddleware",
    "csp.middleware.CSPMiddleware",
    "clinic.accounts.middleware.SessionLifetimeMiddleware",
    "clinic.accounts.middleware.TwoFactorMiddleware",
    "clinic.accounts.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
# A refused form on a patient page explains itself with the crisis lines; staff get Django's page.
CSRF_FAILURE_VIEW = "clinic.selfreport.errors.csrf_failure"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.accounts.context_processors.navigation",
                "clinic.accounts.keepalive.session_policy",
            ],
        },
    },
]

# SQLite in the project folder for a newcomer's first run; PostgreSQL in CI and production.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (production) or SQLite (development).")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Axes first: it refuses a locked-out username and address before any password is checked.
# Then the account-wide slowdown (clinic/accounts/slowdown.py), which may refuse before the password too.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "clinic.accounts.slowdown.AccountSlowdownBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap's CSS is a reviewed copy in static/vendor/bootstrap (version, licence and hashes in
# its VENDORED.md), so installing Steady builds nothing.
STATICFILES_DIRS = [BASE_DIR / "static"]
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

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "steady@localhost")

# --- Security (see the README's Security section) ---------------------------------------------
# Two-factor sign-in is required everywhere except on a developer's machine.
REQUIRE_2FA = env_bool("REQUIRE_2FA", default=not DEBUG)
OTP_TOTP_ISSUER = "Steady"

# Sessions end after 30 minutes without a request and 12 hours after sign-in in any case
# (clinic.accounts.middleware.SessionLifetimeMiddleware). The stored session outlives the idle
# limit by the minute the middleware may wait before it records activity again; the cookie
# itself dies with the browser, which matters on shared clinic computers.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60, minimum=60)
SESSION_ACTIVITY_RESOLUTION_SECONDS = 60
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS + SESSION_ACTIVITY_RESOLUTION_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Django's database sessions, reporting a database outage as 500 rather than 400 (clinic/ops/sessions.py).
SESSION_ENGINE = "clinic.ops.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
CSRF_COOKIE_AGE = None  # ends with the browser, like the session cookie
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
if not DEBUG:
    # __Host- cookies are only accepted over HTTPS, for path /, without a Domain: no subdomain can set them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's health check may speak plain HTTP straight to the app server; a redirect
# would read as "unhealthy". /healthz shows nothing private, so it answers over either.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 60 * 60, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Views may send something stricter (patient pages send no-referrer); this is the floor.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# No inline scripts or styles anywhere: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Lockout after repeated failures, per username AND address, so one shared clinic network
# cannot lock everybody out and one attacker cannot lock a person out from everywhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The cool-off runs from the last counted failure; tries while locked out do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "clinic.accounts.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are already in Steady's own audit trail
AXES_VERBOSE = False
# Account-wide slowdown (clinic/accounts/slowdown.py): after this many failures for one username
# from at least this many addresses within the window, one try per ACCOUNT_SLOWDOWN_SECONDS, and
# the person is emailed.
ACCOUNT_SLOWDOWN_FAILURES = env_int("ACCOUNT_SLOWDOWN_FAILURES", 10, minimum=1)
ACCOUNT_SLOWDOWN_ADDRESSES = env_int("ACCOUNT_SLOWDOWN_ADDRESSES", 3, minimum=1)
ACCOUNT_SLOWDOWN_WINDOW_MINUTES = env_int("ACCOUNT_SLOWDOWN_WINDOW_MINUTES", 60, minimum=1)
ACCOUNT_SLOWDOWN_SECONDS = env_int("ACCOUNT_SLOWDOWN_SECONDS", 60, minimum=1)
# The peer address, as the audit trail records it (behind a proxy, the proxy sets REMOTE_ADDR).
AXES_CLIENT_IP_CALLABLE = "clinic.audit.services.client_ip"

# Operations: logs, proxies (see README "Production"). The request log middleware is the
# outermost entry of MIDDLEWARE above.

# JSON lines on stdout in production; LOG_FORMAT=text for a developer's terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "clinic.ops.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # Every line passes the token filter, whichever logger wrote it (README "Logs").
    "filters": {"redact_tokens": {"()": "clinic.ops.logs.RedactTokens"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["redact_tokens"],
        },
        "discard": {"class": "logging.NullHandler"},  # no handler at all would mean Python's stderr fallback
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's defaults give these handlers of their own that print raw paths (runserver's
        # request lines, the stderr console): through the root's filtered handler instead.
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
        # Its lines quote raw paths (patient-link tokens); RequestLogMiddleware logs every request instead.
        "django.request": {"handlers": ["discard"], "propagate": False},
        # django-axes logs every sign-in at INFO; its warnings (failures, lockouts) are enough.
        "axes": {"level": "WARNING"},
    },
}

# Patient pages (clinic.selfreport.ratelimit): requests allowed per link, and per client address,
# in each 10-minute window. Raise the address limit where many patients share one NAT.
PATIENT_LINK_RATE_PER_LINK = env_int("PATIENT_LINK_RATE_PER_LINK", 40, minimum=1)
PATIENT_LINK_RATE_PER_ADDRESS = env_int("PATIENT_LINK_RATE_PER_ADDRESS", 150, minimum=1)

# --- Safety rules ------------------------------------------------------------------------------
# Days without 7-OH (by the latest answer given with an assessment) after which strong craving
# raises the lost-tolerance reason (clinic.assessments.tolerance). Issue 13's default; a clinic
# reviews it.
LOST_TOLERANCE_DAYS = env_int("LOST_TOLERANCE_DAYS", 3, minimum=1)
# Safety rule thresholds (clinic.patients.safety_rules). Defaults from GUIDANCE_FACTS.md (Jungquist
# CR et al., Pain Manag Nurs 2020): urgent below 10 breaths/min or SpO2 below 90 %, discuss at
# 10-11 breaths/min or SpO2 90-93 %. A clinic reviews them and may change them here.
SAFETY_THRESHOLDS = {
    "respiratory_rate_urgent_below": env_int("SAFETY_RESPIRATORY_RATE_URGENT_BELOW", 10, minimum=1),
    "respiratory_rate_discuss_below": env_int("SAFETY_RESPIRATORY_RATE_DISCUSS_BELOW", 12, minimum=1),
    "oxygen_saturation_urgent_below": env_int("SAFETY_SPO2_URGENT_BELOW", 90, minimum=1),
    "oxygen_saturation_discuss_below": env_int("SAFETY_SPO2_DISCUSS_BELOW", 94, minimum=1),
}
