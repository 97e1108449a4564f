"""django-anymail's provider webhooks, open only when they can tell a provider from anyone else.

Without ANYMAIL_WEBHOOK_SECRET anymail accepts an unsigned post from anybody on most providers'
URLs (a forged bounce or complaint would suppress any reader's address), and answers 500 on the
providers that need a signing key of their own. Here both cases answer 404, a closed door, and the
reason is logged once per process for whoever runs the site.
"""

from __future__ import annotations

import functools
import logging

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError
from anymail.utils import get_anymail_setting
from django.http import HttpResponseNotFound
from django.urls import URLPattern

logger = logging.getLogger(__name__)
already_logged: set[str] = set()


def log_once(reason: str) -> None:
    if reason not in already_logged:
        already_logged.add(reason)
        logger.warning("Email webhooks answer 404: %s. No provider's bounces or complaints are recorded.", reason)


def closed_door() -> HttpResponseNotFound:
    return HttpResponseNotFound("Not found.", content_type="text/plain; charset=utf-8")


def guarded(view):
    """The anymail view, answering 404 while the webhook secret (or the provider's own key) is unset."""

    @functools.wraps(view)  # keeps anymail's csrf_exempt and login_not_required marks
    def webhook(request, *args, **kwargs):
        if not get_anymail_setting("webhook_secret", default=None):
            log_once("ANYMAIL_WEBHOOK_SECRET is not set")
            return closed_door()
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError as missing:
            # Raised while the view is built (a provider's signing key), before any event is read.
            log_once(str(missing))
            return closed_door()

    return webhook


urlpatterns = [
    URLPattern(pattern.pattern, guarded(pattern.callback), pattern.default_args, pattern.name)
    for pattern in anymail_urls.urlpatterns
]
# Mounted by the site's URL map under the namespace anymail's own URLs use.
webhook_urls = (urlpatterns, anymail_urls.app_name)
