import math

from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means unhealthy
        return HttpResponse(f"database unavailable: {type(error).__name__}", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def too_many_requests(request, exception=None, *, retry_after: int = 60):
    """The 429 page: slow down, and when to come back (also in Retry-After, for programs)."""
    minutes = math.ceil(retry_after / 60)
    wait = "a minute" if minutes <= 1 else f"{minutes} minutes"
    response = render(request, "429.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "private, no-store"
    return response
