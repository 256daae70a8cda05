"""Sanshe settings, read from the environment so that one file serves dev, CI and production."""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets generic Django classes be subscripted at run time (ModelAdmin[Model]) for the type checker.
django_stubs_ext.monkeypatch()

# The checkout in development; site-packages when installed from a wheel, where nothing may be
# written: production names its database, media and static directories (see below).
BASE_DIR = Path(__file__).resolve().parent.parent
CONFIG_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)
DEV_SECRET_KEY = "dev-insecure-sanshe-key-change-me-0123456789-abcdefghijklmnop"  # noqa: S105 - public on purpose, refused when DEBUG is off

# With DEBUG off, Sanshe refuses to start rather than run on a public development key, an
# SQLite file inside site-packages or uploads in the package directory.
PRODUCTION_REQUIRED = {
    "DJANGO_SECRET_KEY": "a long random secret (python -c 'import secrets; print(secrets.token_urlsafe(50))')",
    "DJANGO_ALLOWED_HOSTS": "the site's host names, comma-separated",
    "DATABASE_URL": "postgres://user:password@host:5432/sanshe",
    "SANSHE_STATIC_ROOT": "the directory collectstatic writes to",
    # Its default lies inside the installed package, where a reinstall or a new host loses the
    # ledger's anchors and a new secret key makes the old lines unverifiable (tick then fails).
    "SANSHE_LEDGER_ANCHOR_FILE": "the ledger's daily anchors, on storage apart from the database's",
}
if not DEBUG:
    missing = [f"{k} ({why})" for k, why in PRODUCTION_REQUIRED.items() if not os.environ.get(k)]
    if not os.environ.get("SANSHE_MEDIA_ROOT") and not os.environ.get("SANSHE_S3_BUCKET"):
        missing.append("SANSHE_MEDIA_ROOT or SANSHE_S3_BUCKET (where uploads and exports are kept)")
    if (
        os.environ.get("DJANGO_SECRET_KEY") == DEV_SECRET_KEY
        or len(os.environ.get("DJANGO_SECRET_KEY", "x" * 50)) < 50
    ):
        missing.append("DJANGO_SECRET_KEY of at least 50 characters, not the development key")
    if missing:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG is off, so these must be set (see docs/operations.md): "
            + "; ".join(missing)
        )
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

# Demo mode lists the demo logins on the login page; never on in production.
DEMO_MODE = env_bool("SANSHE_DEMO_MODE", DEBUG)

INSTALLED_APPS = [
    # Sanshe's apps come first: for a msgid that Django's own apps also translate ("History"),
    # the first app in this list wins, and the domain wording must be ours.
    "core",
    "documents",
    "accounts",
    "projects",
    "procurement",
    "workforce",
    "evaluation",
    "funds",
    "opendata",
    "beneficiaries",
    "supervision",
    "notifications",
    "planning",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "import_export",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "core.arrival.ArrivalMiddleware",  # first: deadlines count from arrival (issue 12)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.sanshe",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Without a busy timeout, a second writer fails at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out user before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force protection: 5 failed logins for one user name from one address lock it for an hour.
# Long exports run as tasks (Django's task framework). The database backend needs nothing but the
# database and `manage.py db_worker`; see docs/operations.md for the Redis-backed alternative.
# With SANSHE_TASKS_REDIS_URL set, tasks go to Redis through RQ (django-tasks-rq) and
# `manage.py rqworker default --job-class django_tasks_rq.Job` works them off; otherwise the database queue and `db_worker`.
TASKS_REDIS_URL = os.environ.get("SANSHE_TASKS_REDIS_URL", "")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_rq.RQBackend" if TASKS_REDIS_URL else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
if TASKS_REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 3 * 3600}}

# One cache for every app server when Redis is configured: login lockouts, API throttles and
# the health check's liveness marks must be shared, not counted per process.
CACHE_URL = os.environ.get("SANSHE_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if not DEBUG and not CACHE_URL and env_bool("SANSHE_SEVERAL_SERVERS", False):
    raise ImproperlyConfigured("SANSHE_SEVERAL_SERVERS is on: set SANSHE_CACHE_URL=redis://…")

# Addresses of the reverse proxies whose X-Real-IP header is believed (core.net.client_ip).
SANSHE_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("SANSHE_TRUSTED_PROXIES", "").split(",") if p.strip()
]
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"

AXES_FAILURE_LIMIT = int(os.environ.get("SANSHE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [CONFIG_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("SANSHE_STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploads and exports go through Django's storage API: the local disk by default, or any
# S3-compatible object store (MinIO, Ceph, a cloud's OSS/COS with S3 API) shared by every host.
S3_BUCKET = os.environ.get("SANSHE_S3_BUCKET", "")
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "core.staticstorage.StaticStorage"
        )
    },
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("SANSHE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("SANSHE_S3_REGION") or None,
            "access_key": os.environ.get("SANSHE_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("SANSHE_S3_SECRET_KEY") or None,
            # Private objects; files leave only through Sanshe's permission-checking views.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": os.environ.get("SANSHE_S3_ADDRESSING", "path"),
        },
    }
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("SANSHE_MEDIA_ROOT", BASE_DIR / "media"))

# The ledger's chain head, anchored outside the database each day (funds/anchor.py): keep the
# file on another disk or copy it off the server; the key signs each line (default SECRET_KEY).
LEDGER_ANCHOR_FILE = Path(
    os.environ.get("SANSHE_LEDGER_ANCHOR_FILE", BASE_DIR / "var" / "ledger-anchors.jsonl")
)
LEDGER_ANCHOR_KEY = os.environ.get("SANSHE_LEDGER_ANCHOR_KEY", "")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer's health probe may speak plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

REST_FRAMEWORK = {
    # Token first, so an anonymous call gets 401 with WWW-Authenticate rather than a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # drf-spectacular's, plus the Idempotency-Key header on every state-changing operation.
    "DEFAULT_SCHEMA_CLASS": "core.api.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.AnonThrottle", "core.throttles.UserThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("SANSHE_API_ANON_RATE", "120/min"),
        "user": os.environ.get("SANSHE_API_USER_RATE", "600/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sanshe API",
    "DESCRIPTION": "政府购买社会工作服务：项目、采购、合同、绩效评价、支付与台账。"
    " Every state change is a POST to a transition endpoint that answers with the new state"
    " or a 4xx carrying the reason. A client that may retry (timeouts, lost answers) sends an"
    " Idempotency-Key header: the request then runs at most once and a retry with the same key"
    " and body gets the first answer again, marked Idempotent-Replayed: true.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc are served from the sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ServiceCategoryEnum": "projects.models.ServiceCategory",
        "BeneficiaryCategoryEnum": "projects.models.BeneficiaryCategory",
        "BondKindEnum": "funds.models.BondKind",
        "ObjectionKindEnum": "procurement.models.ObjectionKind",
    },
}

# Open data: the OCDS ocid prefix registered for the publisher, and the org-id scheme under
# which parties' 统一社会信用代码 are published (CN-USCI is the code registered on org-id.guide).
SANSHE_OCID_PREFIX = os.environ.get("SANSHE_OCID_PREFIX", "ocds-sanshe")
SANSHE_OCDS_ORG_SCHEME = os.environ.get("SANSHE_OCDS_ORG_SCHEME", "CN-USCI")
# Who publishes the data and under which terms; every URL in the published data starts with
# SANSHE_OCDS_BASE_URI (the public address of this installation), never with a request's host.
SANSHE_OCDS_BASE_URI = os.environ.get("SANSHE_OCDS_BASE_URI", "http://localhost:8000").rstrip("/")
SANSHE_OCDS_PUBLISHER_NAME = os.environ.get(
    "SANSHE_OCDS_PUBLISHER_NAME", "三社 政府购买社会工作服务平台"
)
# The publisher's own 统一社会信用代码 (published as publisher.scheme/uid when set).
SANSHE_OCDS_PUBLISHER_UID = os.environ.get("SANSHE_OCDS_PUBLISHER_UID", "")
SANSHE_OCDS_LICENSE = os.environ.get(
    "SANSHE_OCDS_LICENSE", "https://creativecommons.org/licenses/by/4.0/"
)
# Empty means this installation's own policy page (/opendata/policy/).
SANSHE_OCDS_PUBLICATION_POLICY = os.environ.get("SANSHE_OCDS_PUBLICATION_POLICY", "")
# Releases (or records) per page of the public feeds.
SANSHE_OCDS_PAGE_SIZE = 100

# Apps that contribute demo data, in the order load_demo runs them.
SANSHE_DEMO_LOADERS = [
    "accounts.demo.load",
    "projects.demo.load",
    "procurement.demo.load",
    "evaluation.demo.load",
    "funds.demo.load",
    "beneficiaries.demo.load",
    "workforce.demo.load",
    # After the records it computes from (service records, case files, the workforce register):
    # the evaluation's evidence, survey and 自评.
    "evaluation.demo.load_evidence",
    "supervision.demo.load",
    "planning.demo.load",
    # Last: it publishes what every other loader made, so nothing changes after the first sync.
    "opendata.demo.load",
]
