"""Settings shared by every environment; each value that differs is read from the environment."""

import datetime as dt
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules",
    "django_htmx",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mozilla_django_oidc",
    "django_prometheus",
    "core",
    "councils",
    "providers",
    "monitoring",
    "decisions",
    "concerns",
    "restrictions",
    "notices",
    "boards",
    "reporting",
]

# Widgets render through the project's templates, so GOV.UK widgets (the date input) live
# beside the other includes.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the application server itself (WhiteNoise), before anything else.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PrivateResponsesMiddleware",
    "core.middleware.NulRefusedMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor: django-otp marks a verified session; ours sends anyone who owes the code to it.
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.IdleTimeoutMiddleware",
    "councils.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.tenancy.CouncilScopeMiddleware",
    "core.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.council",
                "councils.context_processors.citing",
            ],
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'oversight.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The database lives in var/, which `make migrate` and `make run` create (settings create
    # no folders when imported). The web server and the worker share the file: WAL and
    # immediate transactions avoid "database is locked" between them.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    # One connection per gunicorn worker (sync workers, one thread each: config/gunicorn.py),
    # kept for a minute and checked before reuse: the server never holds more connections
    # than it has workers, and idle ones are closed (issue 11: PostgreSQL's 100 were taken).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "councils.User"
# The tenant, as core knows it (core sits below councils and never imports it).
TENANT_MODEL = "councils.Council"
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in while a username is locked out from an address (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    # The council's identity provider (OpenID Connect), when OIDC_RP_CLIENT_ID is set.
    "councils.sso.CouncilOIDCBackend",
]
# Sign-in throttling (django-axes, ADR 0009 note): after 5 wrong passwords for a username from
# one address, that pair is locked for 15 minutes (the admin's sign-in too), with an audit
# entry. Username and address together: a stranger cannot lock a colleague out from elsewhere.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Wrong API tokens from one address: after this many in the window, 429 until it passes.
TOKEN_FAILURE_LIMIT = env.int("TOKEN_FAILURE_LIMIT", default=20)
TOKEN_FAILURE_WINDOW_SECONDS = env.int("TOKEN_FAILURE_WINDOW_SECONDS", default=900)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: signed out after SESSION_IDLE_MINUTES without a request, and after
# SESSION_COOKIE_AGE whatever happens (core.middleware.IdleTimeoutMiddleware).
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = env.int("SESSION_MAX_HOURS", default=10) * 3600
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this site only,
# no inline script or style, no framing; the API's browsable docs (Swagger UI, which writes
# inline script) are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "councils.api_auth.CouncilTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Oversight API",
    "DESCRIPTION": (
        "Care provider quality oversight for English councils. Other council systems "
        "authenticate with a council token (`Authorization: Token <key>`); each token belongs "
        "to one council and carries scopes."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.error_responses_hook",
    ],
    "ENUM_NAME_OVERRIDES": {
        "RagEnum": "monitoring.models.Rag",
        "OutcomeEnum": "monitoring.models.Outcome",
        "StageEnum": "concerns.models.Stage",
        "TimerStageEnum": "core.models.TimerStage",
        "MeetingStatusEnum": "boards.models.MeetingStatus",
        "MeetingKindEnum": "boards.models.MeetingKind",
        "StepOutcomeEnum": "decisions.models.StepOutcome",
        "RestrictionLevelEnum": "restrictions.models.Level",
        "ProposedLevelEnum": ["caution", "suspended", "terminated"],
        "RestrictionStatusEnum": "restrictions.models.Status",
        "AppealStatusEnum": "restrictions.models.AppealStatus",
        "NoticeStatusEnum": "restrictions.models.NoticeStatus",
        "RecommendationStatusEnum": "decisions.models.Status",
        "LetterStatusEnum": "notices.models.LetterStatus",
        "DeliveryStatusEnum": "notices.models.DeliveryStatus",
        "LetterRequestStatusEnum": "concerns.models.LetterStatus",
    },
}

# Celery: Redis in production; without REDIS_URL, kombu's filesystem transport, so that
# `make run` needs no server but still runs a real worker and beat.
REDIS_URL = env("REDIS_URL", default="")
CELERY_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
else:
    # The folders are made by config.celery when the first task is sent or a worker starts.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "control_folder": str(CELERY_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a task whose worker died is run again
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    "timers-sweep": {"task": "core.tasks.timers_sweep", "schedule": 60.0},
    "letters-retry": {"task": "notices.deliveries_retry", "schedule": 300.0},
    "webhooks-retry": {"task": "notices.hooks_retry", "schedule": 60.0},
    "audit-seal": {"task": "core.tasks.audit_seal", "schedule": 300.0},
    "letters-catch-up": {"task": "notices.letters_catch_up", "schedule": crontab(minute=15)},
    # Those who chose a daily digest get it before the working day.
    "digests-daily": {"task": "core.tasks.digests_daily", "schedule": crontab(hour=7, minute=0)},
    "rating-changes-sweep": {"task": "monitoring.rating_changes_sweep", "schedule": 300.0},
    "risk-recompute-nightly": {
        "task": "monitoring.risk_recompute_all",
        "schedule": crontab(hour=2, minute=30),
    },
    # Automatic escalation triggers over every location in scope (a missed event is caught).
    "escalation-triggers-nightly": {
        "task": "concerns.triggers_sweep",
        "schedule": crontab(hour=3, minute=0),
    },
    # Evidence files a refused proposal left in storage (decisions.evidence).
    "evidence-files-tidy": {
        "task": "decisions.evidence_files_tidy",
        "schedule": crontab(hour=4, minute=10),
    },
    # The national register from CQC's Syndication API (does nothing until it is configured).
    "register-sync": {"task": "providers.register_sync", "schedule": crontab(minute=40)},
}
CELERY_TIMEZONE = TIME_ZONE

# `manage.py demo_load` creates users with a published password: only the development and test
# settings allow it.
DEMO_ALLOWED = False

# Sign-in with the council's identity provider, OpenID Connect (Microsoft Entra ID: the
# tenant's https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration
# gives the endpoints). Off until OIDC_RP_CLIENT_ID is set. People are matched by email and
# never created by signing in (a council's administrator adds them and their roles).
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = 10
OIDC_PROVIDER_LABEL = env.str("OIDC_PROVIDER_LABEL", default="your council account")
# Only these email domains sign in through the provider (e.g. "somerset.gov.uk"); empty: any
# the tenant vouches for.
OIDC_ALLOWED_EMAIL_DOMAINS = env.list("OIDC_ALLOWED_EMAIL_DOMAINS", default=[])
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
# Two-factor authentication for local (password) accounts: required in production.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=False)
OTP_TOTP_ISSUER = "Oversight"

# The CQC Syndication API: the register's authoritative source (issue 11). The sync runs only
# with CQC_SYNC_ENABLED; the partner code is sent with every call, within the rate limit.
CQC_API_URL = env.str("CQC_API_URL", default="https://api.service.cqc.org.uk/public/v1")
CQC_API_KEY = env.str("CQC_API_KEY", default="")
CQC_PARTNER_CODE = env.str("CQC_PARTNER_CODE", default="")
CQC_API_PER_MINUTE = env.int("CQC_API_PER_MINUTE", default=600)
CQC_SYNC_ENABLED = env.bool("CQC_SYNC_ENABLED", default=False)
# The first sync's window, when no sync has run (the register is first filled from CQC's files).
CQC_SYNC_FIRST_DAYS = env.int("CQC_SYNC_FIRST_DAYS", default=7)

# Private networks webhooks may be sent to (a council's own systems), e.g. "10.20.0.0/16".
WEBHOOK_ALLOWED_NETWORKS = env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])

# The largest JSON body the API reads (imports and attachments come as files, not JSON).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)

# Uploads for imports: the largest file a browser may send.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
# What an import may hold once unpacked (an XLSX is a zip), its rows, and the problem rows
# kept (the rest are counted).
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_BYTES", default=300 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_MAX_PROBLEMS_KEPT = env.int("IMPORT_MAX_PROBLEMS_KEPT", default=1_000)

POLICY_DIR = BASE_DIR / "policies"

# How long a process remembers an API token it has checked (a revoked token stops working
# within this time), and how long it gathers API placement checks before writing them.
TOKEN_CACHE_SECONDS = env.int("TOKEN_CACHE_SECONDS", default=10)
PLACEMENT_CHECK_FLUSH_SECONDS = env.float("PLACEMENT_CHECK_FLUSH_SECONDS", default=2.0)
# How often a process reads a council's placement version again: the placement status API's
# answers are at most this far behind a change of restrictions.
PLACEMENT_STATUS_FRESH_SECONDS = env.float("PLACEMENT_STATUS_FRESH_SECONDS", default=1.0)

# Where links in emails point, and how email leaves (the console by default; in production
# e.g. EMAIL_URL=smtp+tls://user:password@smtp.example.org:587).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
_EMAIL = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL.get("EMAIL_HOST", "")
EMAIL_PORT = _EMAIL.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _EMAIL.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _EMAIL.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _EMAIL.get("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="oversight@localhost")
# The service desk named on the help, accessibility and privacy pages (empty: those pages name
# the council's own contact details from its pack instead).
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="")
SUPPORT_PHONE = env("SUPPORT_PHONE", default="")
ACCESSIBILITY_STATEMENT_PREPARED = "29 November 2026"
DEMO_PASSWORD = "oversight-demo"

# Logs: each line with the request's id; JSON lines where LOG_FORMAT=json (production's default).
LOG_FORMAT = env("LOG_FORMAT", default="text")
METRICS_TOKEN = env("METRICS_TOKEN", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT if LOG_FORMAT in ("json", "text") else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs each step of each PDF at INFO; its warnings (a missing font) stay.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
