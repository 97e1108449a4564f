import hmac
import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from masthead.ops import health, metrics


@never_cache
@require_safe
def readyz(request):
    """Each part the site needs (database, cache, task queue, storage) with its state; 503 when one is down."""
    report = health.readiness()
    status = 200 if report["status"] == "ok" else 503
    return HttpResponse(json.dumps(report), status=status, content_type="application/json")


@never_cache
@require_safe
def metrics_view(request):
    """Prometheus' scrape, for the bearer of METRICS_TOKEN only; not there at all without one."""
    if not settings.METRICS_TOKEN:
        raise Http404("No metrics here.")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), settings.METRICS_TOKEN.encode()):
        response = HttpResponse("a valid metrics token is needed\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(metrics.exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
