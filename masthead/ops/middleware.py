"""The outermost middleware: a request id for every request, one JSON access line, and its metrics."""

from __future__ import annotations

import logging
import re
import time
import uuid

from masthead.ops import logs, metrics

access_log = logging.getLogger("masthead.requests")

# nginx's $request_id is 32 hex digits; anything else a client sends is replaced, so logs hold no junk.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def view_name(request, response) -> str:
    """The URL name (or view path) that answered; "page_cache" when our page cache did."""
    if response.get("X-Page-Cache") == "hit":
        return "page_cache"
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"
    return match.view_name or match._func_path


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # From META, not request.headers: that copies every header, 10 µs of a 150 µs cached page.
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if VALID_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = logs.request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            view = view_name(request, response)
            metrics.observe_request(view, request.method, response.status_code, seconds)
            response["X-Request-ID"] = request_id
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "view": view,
                    "ms": round(seconds * 1000, 1),
                },
            )
            return response
        finally:
            logs.request_id.reset(token)
