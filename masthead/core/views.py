import math

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Liveness, for load balancers: this process answers. It checks nothing slow, not even the
    database: a database outage must not take every web process out of rotation (pages keep coming
    from the caches). What is down is `/readyz`'s to say (masthead/ops/health.py)."""
    return HttpResponse("ok", content_type="text/plain")


def too_many_requests(request, exception=None, *, retry_after: int = 60):
    """The 429 page: slow down, and when to come back (also in Retry-After, for programs)."""
    minutes = math.ceil(retry_after / 60)
    wait = "a minute" if minutes <= 1 else f"{minutes} minutes"
    response = render(request, "429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "private, no-store"
    return response
