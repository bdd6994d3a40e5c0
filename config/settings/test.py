"""Tests: fast hashing, tasks run in-process unless a test starts a real worker."""

from config.settings.base import *  # noqa: F403
from config.settings.base import BASE_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "var" / "test-media"))
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
EVENT_RECEIVERS_RAISE = True  # a failing receiver fails the test, not only a log line
# A subject kind that exists only in the tests (tests/decisions/permits): the decision chain
# works for any subject.
INSTALLED_APPS = [  # noqa: F405
    *INSTALLED_APPS,  # noqa: F405
    "tests.decisions.permits",
    # Timer kinds for the real-worker tests of the sweep (tests/core/test_sweep_worker.py).
    "tests.slow_timers",
]
# Every request checks its token and writes its placement check at once.
TOKEN_CACHE_SECONDS = 0
PLACEMENT_CHECK_FLUSH_SECONDS = 0
PLACEMENT_STATUS_FRESH_SECONDS = 0
DEMO_ALLOWED = True  # manage.py demo_load: local use only
# WhiteNoise finds static files where they are (no collectstatic outside production).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
