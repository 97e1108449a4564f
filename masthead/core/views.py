from django.db import connection
from django.http import HttpResponse
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
