"""Local development and `make run`: SQLite and the filesystem broker unless the
environment says otherwise."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)

# Emails (the lists' circulation) are written to files under var/mail/ unless EMAIL_URL says
# where to send them.
if "EMAIL_URL" not in env.ENVIRON:
    from config.settings.base import VAR_DIR

    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEMO_ALLOWED = True  # manage.py demo_load: local use only
# WhiteNoise finds static files where they are (no collectstatic outside production).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
