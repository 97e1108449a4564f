"""Stop password guessing on every login form: django-axes glue, configured in settings.AXES_*.

Every login (the reader's allauth form, Wagtail's /admin/login/, Django's /django-admin/login/)
goes through django.contrib.auth.authenticate, so one backend in front of the others sees them all.
Failures are counted per account *and* address together: a guesser is stopped on the account they
guess, while the account's owner (another address) and other people behind the guesser's address
(an office, a mobile network) log in as usual. See the AXES_ settings for why.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LockoutBackend(AxesStandaloneBackend):
    """django-axes's check, skipped where there is no request (a shell, Client.login): no address, no guessing."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def attempted_login(request: HttpRequest, credentials: dict | None) -> str:
    """The account a login names: a username (admin forms) or an email (readers), in one case.

    Case-folded because allauth finds an email in any case: "RITA@example.com" must count against
    the same account as "rita@example.com".
    """
    credentials = credentials or {}
    login = credentials.get("username") or credentials.get("email")
    if not login:
        login = request.POST.get("username") or request.POST.get("login") or ""
    # Stored in axes' 255-character column, which PostgreSQL enforces and which may hold no NUL.
    return str(login).replace("\x00", "").strip().casefold()[:255]


def locked_out(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The page a locked-out login gets: what happened, how long to wait, and the way out."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds())
    response = render(request, "login_locked_out.html", {"minutes": max(1, round(seconds / 60))}, status=429)
    # Each attempt while locked out restarts the wait (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT).
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "private, no-store"
    return response
