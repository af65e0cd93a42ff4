"""sopsite settings, read from the environment.

DATABASE_URL   default: an SQLite file in the project's var/ folder
SECRET_KEY     required when DEBUG is off
DEBUG          off unless set ("true"/"1"); `make run` turns it on
ALLOWED_HOSTS  comma separated; default localhost names
SOP_HTTPS      on by default when DEBUG is off: SSL redirect, secure cookies, HSTS
SOP_TRUSTED_PROXIES  how many reverse proxies in front append to X-Forwarded-For (default 0)
SOP_API_THROTTLE_ANON / SOP_API_THROTTLE_USER  API request rates (default 60/minute, 1200/minute)
SOP_CACHE      "database": the API's throttle counts shared by all processes (default: per process)
CONN_MAX_AGE   seconds a database connection is kept open; default 60 when DEBUG is off, else 0
LOG_LEVEL / SOP_LOG_LEVEL   the root's (WARNING) and sopsite's own loggers' (INFO) levels
SOP_LOG_FORMAT text (default: ``ts level logger request_id message``) or json, one line an event
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment when DEBUG is off "
            "(on a development machine, prefix the command with DEBUG=true)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "simple_history",
    "import_export",
    "axes",  # before settings_app, whose admin replaces axes' attempts page
    "settings_app",
    "orders",
]

MIDDLEWARE = [
    # Probes first: no host check, HTTPS redirect, session or database for /healthz.
    "sopsite.health.HealthCheckMiddleware",
    "sopsite.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "orders.api.middleware.ApiHeaderLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "settings_app.acting.ActingUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # last, as axes asks: turns a refused (blocked) sign-in into the lockout page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sopsite.urls"
WSGI_APPLICATION = "sopsite.wsgi.application"

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
                "django.template.context_processors.csp",
                "settings_app.context_processors.organization",
            ],
        },
    },
]

# Connections stay open between requests in production (a new one per request cost 1.2–1.5×
# on small pages), checked before reuse; development and tests open one per request.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE") or ("0" if DEBUG else "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # Wait for a lock instead of failing at once when the worker and the web server write together.
    # IMMEDIATE: a writing transaction takes the write lock when it begins, so two writers queue
    # (up to the timeout) instead of failing with "database is locked" halfway through.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "settings_app.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute force: the sign-in lockout (settings_app.signin). axes' backend goes first and only
# refuses blocked attempts; ModelBackend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "settings_app.signin.SignInLockoutHandler"
AXES_LOCKOUT_CALLABLE = "settings_app.signin.lockout_response"
AXES_CLIENT_IP_CALLABLE = "settings_app.signin.client_address"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = 5  # consecutive failures for one username
SOP_SIGNIN_ADDRESS_LIMIT = 20  # failures from one address, whatever the usernames
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
SOP_TRUSTED_PROXIES = int(os.environ.get("SOP_TRUSTED_PROXIES", "0"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files after `collectstatic` in production; plain files when
        # serving straight from the source folders (make run, tests).
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("SOP_STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Tests and `make run` serve static files straight from the app folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

# Security: the same code runs behind HTTPS in production; SOP_HTTPS=false for plain-HTTP runs.
HTTPS = env_bool("SOP_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

REST_FRAMEWORK = {
    # operationIds, error bodies and headers computed from the views (orders/api/openapi.py)
    "DEFAULT_SCHEMA_CLASS": "orders.api.openapi.ApiAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "EXCEPTION_HANDLER": "orders.api.errors.exception_handler",
    # Per process: counts live in the default cache (see CACHES and docs/decisions.md).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("SOP_API_THROTTLE_ANON") or "60/minute",
        "user": os.environ.get("SOP_API_THROTTLE_USER") or "1200/minute",
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "sopsite API",
    "DESCRIPTION": "Sales documents and the back-office order processing integration.",
    "VERSION": "1.0.0",
    # 3.1 for the `webhooks` section: every event type's payload is in the contract.
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags by resource (salesorders, invoices, …) rather than one "v1" tag for everything.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Descriptions are written for integrators (orders/api/openapi.py, extend_schema), never
    # the code's docstrings.
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "orders.api.openapi.postprocess",
    ],
    # Each document's state and status_reason choices get a readable name (orders/api/schema.py).
    "ENUM_NAME_OVERRIDES": {
        f"{kind}{what}Enum": f"orders.api.schema.{prefix}_{suffix}"
        for kind, prefix in [
            ("Opportunity", "OPPORTUNITY"),
            ("Quote", "QUOTE"),
            ("SalesOrder", "SALES_ORDER"),
            ("Invoice", "INVOICE"),
        ]
        for what, suffix in [("State", "STATES"), ("StatusReason", "STATUS_REASONS")]
    }
    | {
        "ErrorCodeEnum": "orders.api.openapi.ERROR_CODES",
        "ProductStatusEnum": "orders.api.schema.PRODUCT_STATUSES",
        "DiscountListTypeEnum": "orders.api.schema.DISCOUNT_LIST_TYPES",
        "PricingDecisionEnum": "orders.api.fields.PRICING_DECISIONS",
    },
}

# Spreadsheet import and export in the admin: importing needs the model's change permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True

# The API's throttle counts live here. Local memory is per process, so with N web workers a
# client gets up to N × the rate; SOP_CACHE=database shares the counts through the database
# (create its table once with `manage.py createcachetable`). See docs/decisions.md.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "sop_cache"}
        if os.environ.get("SOP_CACHE", "").strip().lower() == "database"
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SOP_DEMO_PASSWORD = os.environ.get("SOP_DEMO_PASSWORD", "")
SOP_WEBHOOK_URL = os.environ.get("SOP_WEBHOOK_URL", "")
SOP_WEBHOOK_SECRET = os.environ.get("SOP_WEBHOOK_SECRET", "")
# Webhooks to loopback and private-network addresses (the local simulator); link-local ones,
# such as the cloud metadata service, stay refused (orders.integration.destinations).
SOP_WEBHOOK_ALLOW_PRIVATE = env_bool("SOP_WEBHOOK_ALLOW_PRIVATE", False)
# A delivery succeeds on any 2xx within this many seconds (Standard Webhooks: 15).
SOP_WEBHOOK_TIMEOUT = float(os.environ.get("SOP_WEBHOOK_TIMEOUT", "15"))
# How long a worker holds a claimed delivery before another may take it over (default: derived
# from the timeout, see orders.integration.delivery.lease_duration).
SOP_WEBHOOK_LEASE = (
    float(os.environ["SOP_WEBHOOK_LEASE"]) if os.environ.get("SOP_WEBHOOK_LEASE") else None
)

# One line per event with the request id (sopsite/logs.py); Django's own loggers write
# through the same handler.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "sopsite.logs.RequestIdFilter"}},
    "formatters": {
        "text": {
            "()": "sopsite.logs.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
        },
        "json": {"()": "sopsite.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if os.environ.get("SOP_LOG_FORMAT") == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "sopsite": {"level": os.environ.get("SOP_LOG_LEVEL", "INFO")},
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # sopsite.request logs every request with its id; runserver's own line only for errors.
        "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
