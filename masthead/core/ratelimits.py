"""Rate limits on the doors a bot knocks on, from one table: settings.RATE_LIMITS.

Each door names the views it covers (by URL name), the methods counted, and a django-ratelimit
rate ("count/period") per address, per logged-in reader, or both. The middleware counts a request
once it is routed, so the views stay unaware of it. Reader login, signup and password reset are
limited by allauth itself (settings.ACCOUNT_RATE_LIMITS); password guessing by django-axes.

A page the anonymous page cache answers never reaches this middleware, and costs nothing to
serve; a bot asking for new searches or articles misses the cache every time, and is counted.
Counters live in the default cache, which must add and increment atomically across web processes:
Redis does, and so does diskcache (masthead.core.disk_cache), the cache used without Redis.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

from masthead.core.views import too_many_requests

# A door's rates, by what they count: django-ratelimit's key for each.
COUNTED_BY = {"per_address": "ip", "per_reader": "user"}
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 (a stand-in in counters, never bound to)


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: REMOTE_ADDR, or the one our own proxies saw (settings.TRUSTED_PROXY_COUNT).

    allauth's rule, so its limits, the login lockout and ours count the same address; a client
    cannot choose its address by sending X-Forwarded-For, as only our proxies' entries are read.
    UNKNOWN_ADDRESS when there is none: a request made in code (Client.logout, a shell), or a
    server reached through a socket without TRUSTED_PROXY_COUNT; such requests are counted together.
    """
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return UNKNOWN_ADDRESS


def seconds_until_open(request: HttpRequest, door: str, rule: dict) -> int | None:
    """Count this request at `door`; None while every rate allows it, else how long until they all do."""
    waits = []
    for counted_by, key in COUNTED_BY.items():
        rate = rule.get(counted_by)
        if not rate or (key == "user" and not request.user.is_authenticated):
            continue
        usage = get_usage(
            request,
            group=f"{door}:{counted_by}",
            key=key,
            rate=rate,
            method=rule.get("methods") or ALL,
            increment=True,
        )
        if usage and usage["should_limit"]:
            waits.append(max(1, usage["time_left"]))
    return max(waits) if waits else None


class RateLimitMiddleware:
    """Answers 429 at a door whose limit is reached, and for a view that raised Ratelimited."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        view_name = request.resolver_match.view_name if request.resolver_match else None
        for door, rule in settings.RATE_LIMITS.items():
            if view_name in rule["views"]:
                wait = seconds_until_open(request, door, rule)
                if wait is not None:
                    return too_many_requests(request, retry_after=wait)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Ratelimited):  # a view's own @ratelimit(block=True)
            return too_many_requests(request)
        return None
