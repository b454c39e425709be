"""Settings for Zone Portfolio, read from the environment.

DATABASE_URL  unset: SQLite file db.sqlite3 in the project (the embedded default).
REDIS_URL     unset: Celery runs tasks eagerly in-process; set: Redis broker and results.
SECRET_KEY, DEBUG, ALLOWED_HOSTS as usual. DEBUG defaults to off (secure by default).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF

from config.security import static_file_headers

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CSRF_FAILURE_VIEW = "web.errors.csrf_failure"  # the branded page of a refused form (web.errors)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules",
    "simple_history",
    "rest_framework",
    "django_filters",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    # The project's apps, lowest layer first: an app imports only apps above it in this list
    # (tests/test_layers.py holds it; docs/development.md says what each owns).
    "core",
    "web",
    "changes",
    "partners",
    "zones",
    "schools",
    "accounts",
    "notifications",
    "funding",
    "accountability",
    "contracts",
    "autonomy",
    "proposals",
    "comments",
    "network",
    "imports",
    "reports",
    "webhooks",
    "portfolio",
    "devdata",
]

MIDDLEWARE = [
    "web.problems.CorrelationIdMiddleware",  # first, so every response and log line has it
    # /health/live, /health/ready, /metrics: before the host check, HTTPS redirect, sessions and limits
    "web.operations.OperationsEndpointsMiddleware",
    "web.observability.RequestObservabilityMiddleware",  # request metrics and the request's log line
    "corsheaders.middleware.CorsMiddleware",  # CORS preflights: before anything that may answer
    "django.middleware.security.SecurityMiddleware",
    "web.transport.ApiGZipMiddleware",  # gzip of JSON/CSV: compresses what everything after it answers
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.routing.ApiSlashMiddleware",  # slashless API writes: before CommonMiddleware's APPEND_SLASH redirect
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.TenantScopeMiddleware",
    "accounts.middleware.TokenUseMiddleware",  # rel-redis: a token's last use, after the request's transaction
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.security.RequestSizeLimitMiddleware",  # before anything reads the body; its 413 gets the headers above
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.InitiativeAdminMFAMiddleware",
    "web.errors.UnavailableMiddleware",  # a store that is down: the 503 page, not the 500 one
]

ROOT_URLCONF = "config.urls"

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
                "portfolio.context_processors.navigation",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A database that does not answer fails a connection within seconds (a readiness probe or a request
# never waits for the TCP timeout); connect_timeout in DATABASE_URL's query string wins.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
    )
# A kept connection is checked before each request reuses it (a restarted database or PgBouncer).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
# Behind PgBouncer in transaction mode a cursor cannot outlive its transaction: set DATABASE_POOLER=pgbouncer.
if env("DATABASE_POOLER", default="") == "pgbouncer":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

FORMS_URLFIELD_ASSUME_HTTPS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Private files (report files, uploaded imports, signed contracts, meeting documents): never served by
# URL, only streamed by permission-checked views (web/files.py). On one machine they live in
# PRIVATE_FILES_ROOT. On several machines every node must read what another wrote: set
# OBJECT_STORAGE_BUCKET and they go to that S3-compatible bucket instead (AWS S3, MinIO, Ceph, ...):
#   OBJECT_STORAGE_BUCKET             the bucket (created beforehand, no public access)
#   OBJECT_STORAGE_ENDPOINT_URL       e.g. http://minio:9000; empty for AWS S3
#   OBJECT_STORAGE_REGION             e.g. us-east-1
#   OBJECT_STORAGE_ACCESS_KEY_ID, OBJECT_STORAGE_SECRET_ACCESS_KEY
#                                     empty: boto3's own chain (instance role, AWS_* variables)
#   OBJECT_STORAGE_ADDRESSING_STYLE   "path" (MinIO and most self-hosted stores) or "virtual"
#   OBJECT_STORAGE_PREFIX             a folder inside the bucket (optional)
PRIVATE_FILES_ROOT = env.path("PRIVATE_FILES_ROOT", default=BASE_DIR / "private")
OBJECT_STORAGE_BUCKET = env("OBJECT_STORAGE_BUCKET", default="")
if OBJECT_STORAGE_BUCKET:
    from botocore.config import Config as BotoConfig

    PRIVATE_STORAGE = {
        "BACKEND": "web.files.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": OBJECT_STORAGE_BUCKET,
            "endpoint_url": env("OBJECT_STORAGE_ENDPOINT_URL", default="") or None,
            "region_name": env("OBJECT_STORAGE_REGION", default="") or None,
            "access_key": env("OBJECT_STORAGE_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("OBJECT_STORAGE_SECRET_ACCESS_KEY", default="") or None,
            "location": env("OBJECT_STORAGE_PREFIX", default=""),
            # A hung store holds a request or a render for seconds, not boto3's default minute a try.
            "client_config": BotoConfig(
                s3={"addressing_style": env("OBJECT_STORAGE_ADDRESSING_STYLE", default="path")},
                signature_version="s3v4",
                connect_timeout=5,
                read_timeout=30,
                retries={"mode": "standard", "max_attempts": 3},
            ),
        },
    }
else:
    PRIVATE_STORAGE = {"BACKEND": "web.files.PrivateFileSystemStorage"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# --- django-allauth: email login, no public sign-up (users join by invitation) ---
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ADAPTER = "accounts.adapters.InvitationOnlyAccountAdapter"
# Failed logins lock the account tried (key: the address), never a shared client address; logins
# from one address are only slowed down (allauth's 30 a minute, which then counts per client).
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key", "login": "30/m/ip"}
# Behind reverse proxies, the client address is the one the nearest TRUSTED_PROXY_COUNT proxies saw
# (X-Forwarded-For) or a header the proxy sets (TRUSTED_CLIENT_IP_HEADER, e.g. X-Real-IP). Default: no
# proxy, the socket's address; set one of them when a proxy is in front, or every user shares its address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", default=None)
ACCOUNT_SESSION_REMEMBER = False  # sessions end with the browser (and after SESSION_COOKIE_AGE)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Zone Portfolio] "
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Zone Portfolio"
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Email: console by default ---
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Zone Portfolio <no-reply@zone-portfolio.local>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Cache and sessions (rel-redis): Redis is never a single point of failure ---
# With REDIS_URL the cache (API throttles, allauth's login rate limits, the forced-render brake) is
# shared in Redis through core.cache.FailOpenRedisCache: each call waits at most CACHE_REDIS_TIMEOUT
# seconds (connect, then read; no retries); when Redis is unreachable, slow, read-only or full, the
# call is answered from this process's memory, logged once, and the process skips Redis for
# CACHE_REDIS_BREAKER_SECONDS before one call tries it again. Limits are then counted per process
# (they fail open) until Redis answers. Without REDIS_URL: local memory only.
# Sessions live in the database (the default SESSION_ENGINE, stated here on purpose): a login
# survives a Redis outage, and no Redis outage logs anyone out.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_REDIS_TIMEOUT", default=0.5),
                "socket_timeout": env.float("CACHE_REDIS_TIMEOUT", default=0.5),
                "breaker_seconds": env.float("CACHE_REDIS_BREAKER_SECONDS", default=5),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# --- end of the cache and sessions block ---

# --- Celery (CELERY_* settings: reliability of report runs, issue #13) ---
# Redis broker when REDIS_URL is set, eager in-process otherwise. Celery delivers at least once; the
# report run row is the outbox and the lease that make each run render once (reports/tasks.py).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Publishing fails fast when Redis is down or hangs (a report request then answers "saved, will run
# when the service is back" within seconds): 2 s to connect, 3 s per reply, one quick retry.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 3,
    "socket_keepalive": True,
    "health_check_interval": 25,
    # A message not acknowledged within this time is delivered again. It must exceed the longest
    # task including its retry countdowns: 300 s (CELERY_TASK_TIME_LIMIT) + 120 s (generate_report's
    # longest backoff), or running tasks would be delivered twice. Dead workers' runs do not wait for
    # it: the lease and the reaper (reports.tasks.maintain_runs) take them back within about a minute.
    "visibility_timeout": 900,
}
# The worker waits out a broker outage of any length (the default gives up, and exits, after 100 tries),
# also when it starts while Redis is down; a running task goes on through a broker drop.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TIMEZONE = TIME_ZONE
# Beat: django-celery-beat's database schedule, sent by one beat at a time however many run (a lock in
# Redis, held BEAT_LEADER_SECONDS and renewed at every tick: config/beat.py); each send's last run is
# written at once, so a beat taking over neither repeats nor skips one.
CELERY_BEAT_SCHEDULER = "config.beat:SingleBeatScheduler"
CELERY_BEAT_SYNC_EVERY = 1
BEAT_LEADER_SECONDS = env.int("BEAT_LEADER_SECONDS", default=30)
# Installed into the database scheduler at beat start (the monthly briefs are a data migration).
CELERY_BEAT_SCHEDULE = {
    "report-runs-maintenance": {
        "task": "reports.tasks.maintain_runs",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Daily reminder digests (accountability.tasks): each is claimed once per person, state and day.
    "accountability-reminders": {
        "task": "accountability.tasks.send_reminders",
        "schedule": crontab(hour=6, minute=0),
        "options": {"expires": 6 * 3600},
    },
    "renewal-dossiers": {  # each zone's dossier, assembled before its renewal date
        "task": "reports.tasks.assemble_renewal_dossiers",
        "schedule": crontab(hour=5, minute=15),
        "options": {"expires": 12 * 3600},
    },
    # --- notifications beat ---
    "notification-digests-daily": {  # each recipient's digest is claimed once per day (notifications.digests)
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=7, minute=0),
        "options": {"expires": 6 * 3600},
    },
    "notification-digests-weekly": {
        "task": "notifications.tasks.send_weekly_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week=1),
        "options": {"expires": 6 * 3600},
    },
    "notifications-pending": {  # the outbox sweep: immediate mails whose queued task never ran
        "task": "notifications.tasks.deliver_pending",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # --- network beat ---
    "network-overdue-action-items": {  # owners and creators told once per overdue item
        "task": "network.tasks.flag_overdue",
        "schedule": crontab(hour=6, minute=30),
        "options": {"expires": 12 * 3600},
    },
    "idempotency-keys-purge": {  # Idempotency-Key records past their expiry (web.idempotency)
        "task": "web.tasks.purge_expired_idempotency_keys",
        "schedule": crontab(minute=17),
        "options": {"expires": 3600},
    },
    # --- webhooks beat ---
    "webhooks-dispatch": {  # changes since the last run become deliveries (webhooks.dispatch)
        "task": "webhooks.tasks.dispatch_events",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "webhooks-retries": {  # deliveries whose retry is due, and those whose queued task never ran
        "task": "webhooks.tasks.send_due_deliveries",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "tombstones-purge": {  # deletes-feed entries past CHANGES_TOMBSTONE_RETENTION (changes.tombstones)
        "task": "changes.tasks.purge_expired_tombstones",
        "schedule": crontab(hour=3, minute=41),
        "options": {"expires": 12 * 3600},
    },
}

# --- REST framework (API v1 under /api/v1/, see config/api_urls.py) ---
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "web.schema.ZonePortfolioSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON bodies only (a generated client then writes JSON); an upload operation sets its own
    # parser_classes=[MultiPartParser]. Test clients send JSON unless told otherwise.
    "DEFAULT_PARSER_CLASSES": ["web.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "web.problems.exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "web.negotiation.ApiContentNegotiation",
    # JSON first (the default), the browsable API for a browser, CSV of a list by Accept: text/csv.
    "DEFAULT_RENDERER_CLASSES": [
        "web.renderers.OrjsonRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "web.renderers.CsvListRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.authentication.ApiTokenRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api_token": env("API_TOKEN_RATE", default="600/minute"),
        "user": env("API_USER_RATE", default="1200/minute"),
    },
}
# A change's reason is kept whole in its history row (mandatory reasons, proposals, the cycle's
# comments): a text column, not simple_history's default of 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

SPECTACULAR_SETTINGS = {
    "TITLE": "Zone Portfolio API",
    "DESCRIPTION": "Partnership Zone data: states, zones, schools, Lead Partners, funding and accountability. "
    "Conventions (README, 'Conventions for API clients'): errors are RFC 9457 problem details; ETag, "
    "If-None-Match and If-Match on objects and lists; Idempotency-Key on POST; unknown query parameters are "
    "400s; any list answers CSV to Accept: text/csv. Untyped clients may also send ?fields=a,b on a GET to "
    "receive only those fields (left out of the operations' parameters: the answer then lacks required "
    "fields a typed client expects).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page are for members (session or API token), like the API they describe.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ZoneStatusEnum": "zones.models.Zone.Status",
        "CommitmentStatusEnum": "funding.models.Commitment.Status",
        "EngagementStatusEnum": "partners.models.CollaboratorEngagement.Status",
        "StandingEnum": "accountability.choices.Standing",
        "RatingEnum": "accountability.choices.Rating",
        "LeadPartnerKindEnum": "partners.models.LeadPartner.Kind",
        "FunderKindEnum": "funding.models.Funder.Kind",
        "GradeEnum": "schools.models.GRADES",
        "CriterionRatingEnum": "zones.models.CriterionRating",
        "ProposalKindEnum": "proposals.choices.ProposalKind",
        "ProposalStatusEnum": "proposals.choices.ProposalStatus",
        "TermStatusEnum": "autonomy.choices.TermStatus",
        "LegalSourceEnum": "autonomy.choices.LegalSource",
        "ReviewRatingEnum": "contracts.choices.ReviewRating",  # three parts, one scale
        "WebhookEventTypeEnum": "webhooks.choices.EventType",  # a delivery's event_type, a subscription's event_types
        "WebhookDeliveryStatusEnum": "webhooks.choices.DeliveryStatus",
    },
}

# --- Security: strict unless DEBUG ---
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
WHITENOISE_ADD_HEADERS_FUNCTION = static_file_headers  # static files get the CSP and framing rule too
SESSION_COOKIE_HTTPONLY = True
# Content Security Policy: only this site's own static files; charts are <img> SVG data URIs;
# no inline scripts or styles anywhere (templates use static CSS/JS files only).
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

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Imports (5 MB, 50,000 rows; see imports/reading.py): their choice sets get their own names in the API schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {"ImportKindEnum": "imports.models.ImportBatch.Kind", "ImportStatusEnum": "imports.models.ImportBatch.Status"}
)
# Money planning: a recurring cost's categories are two of the spending categories; each set keeps a name.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "CategoryEnum": "funding.models.Expenditure.Category",  # the name it had alone
        "RecurringCostCategoryEnum": "funding.models.RecurringCost.CATEGORIES",
    }
)

# --- API clients: CORS, conditional writes, idempotency, schema ---
# CORS for browser-based API clients (BI dashboards): off unless origins are listed, e.g.
# CORS_ALLOWED_ORIGINS=https://bi.example.org,https://data.example.org; API paths only; token
# clients, so no cookies cross origins unless CORS_ALLOW_CREDENTIALS=1.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_CREDENTIALS = env.bool("CORS_ALLOW_CREDENTIALS", default=False)
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "if-match",
    "if-none-match",
    "idempotency-key",
    "x-request-id",
]
CORS_EXPOSE_HEADERS = [
    "ETag",
    "Location",
    "Link",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "X-Request-ID",
    "X-Total-Count",
    "Idempotent-Replayed",
    "Content-Disposition",
]
# PUT/PATCH/DELETE without If-Match: 428 when true; else honoured when sent (web.conditional).
API_REQUIRE_IF_MATCH = env.bool("API_REQUIRE_IF_MATCH", default=False)
# Seconds an Idempotency-Key's response is replayed for (web.idempotency).
IDEMPOTENCY_KEY_TTL = env.int("IDEMPOTENCY_KEY_TTL", default=24 * 3600)
# How long the deletes feed keeps a deleted row's tombstone: a client that last synced before
# that must copy everything again (changes.tombstones; the feed answers 410 Gone).
CHANGES_TOMBSTONE_RETENTION = timedelta(days=env.int("CHANGES_TOMBSTONE_RETENTION_DAYS", default=90))

# --- Webhooks (webhooks app): secrets are stored encrypted under a key derived from WEBHOOK_SECRET_KEY
# (SECRET_KEY when unset; changing it makes every stored secret unreadable: rotate them). Deliveries go
# to public https addresses only; plain http and private addresses are for development and tests.
WEBHOOK_SECRET_KEY = env("WEBHOOK_SECRET_KEY", default="")
WEBHOOK_ALLOW_HTTP_TARGETS = env.bool("WEBHOOK_ALLOW_HTTP_TARGETS", default=DEBUG)
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=DEBUG)
SPECTACULAR_SETTINGS.update(
    {
        "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",  # tags: the resource after /api/v1/ (zones, status-updates)
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "web.schema.postprocess",
        ],
    }
)

# --- Operations (web.operations, web.observability; README "Running on several machines") ---
# /metrics answers only with "Authorization: Bearer <METRICS_TOKEN>" (404 while unset). Several processes
# (gunicorn workers, Celery's pool) share their samples through PROMETHEUS_MULTIPROC_DIR (an empty
# folder per server, read from the environment by prometheus_client itself).
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_COLLECTORS = ["reports.metrics.ReportQueueCollector"]  # figures read at scrape time
# Readiness checks reported but not failing /health/ready, e.g. "cache,broker" to keep serving pages
# while Redis is away (the cache fails open and report requests wait in their outbox).
HEALTH_READY_OPTIONAL = env.list("HEALTH_READY_OPTIONAL", default=[])

# Logs: one JSON object per line (time, level, logger, message, correlation_id, user_id, task_id, and
# a request's method, path, status, duration_ms) with LOG_FORMAT=json, the default unless DEBUG.
LOG_FORMAT = env("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "web.observability.LogContextFilter"}},
    "formatters": {
        "json": {"()": "web.observability.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},  # one INFO line per PDF rendering step
        # runserver logs each request itself; web.request's line is for production (and tests ask for it)
        "web.request": {"level": env("REQUEST_LOG_LEVEL", default="WARNING" if DEBUG else "INFO")},
    },
}
# Celery's worker logs through the LOGGING above (same format, task_id and correlation_id on each line).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors to Sentry only when SENTRY_DSN is set (Django and Celery integrations; no personal data sent).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
    )
