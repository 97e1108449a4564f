"""Where a logged-in reader stopped listening: the player asks for it (GET) and saves it (POST, CSRF, rate-limited)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.views.decorators.http import require_http_methods

from masthead.access.paywall import request_article_access
from masthead.audio import queries, services
from masthead.audio.templatetags.audio_tags import minutes_and_seconds, spoken_duration


def refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_http_methods(["GET", "POST"])
def listening_position(request, article_id: int):
    """GET: the reader's place in an article's narration, and a CSRF token to save the next one with.
    POST: remember the reader's place; the player sends it every few seconds.

    The article's page is shared by every reader of the same audience, so what is the reader's own
    comes from here, never from the page.
    """
    if not request.user.is_authenticated:
        return refusal("Log in to keep your place on every device.", 403)
    narration = queries.narration_on_page(article_id)
    if narration is None or not all(r.accept_request(request) for r in narration.article.get_view_restrictions()):
        raise Http404("This article has no audio.")
    if not request_article_access(request, narration.article).allowed:
        return refusal("This article’s audio is for subscribers.", 403)
    if request.method == "GET":
        return saved_position(request, narration)
    try:
        seconds = float(request.POST["position"])
        services.save_listening_position(
            request.user, narration, seconds=seconds, version=request.POST.get("version", "")
        )
    except (KeyError, ValueError) as error:  # BadPosition is a ValueError
        return refusal(f"Send the position in seconds. ({error})", 400)
    return HttpResponse(status=204)


def saved_position(request, narration) -> JsonResponse:
    position = queries.listening_position(request.user, narration.article)
    response = JsonResponse(
        {
            "position": round(position.position_ms / 1000, 3) if position and position.half_heard else None,
            "version": position.version if position else None,
            "csrf": get_token(request),
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET"])
@login_required
def continue_listening(request):
    """The home page's "continue listening" list for a logged-in reader (the page itself is shared)."""
    response = JsonResponse({"positions": half_heard_list(request.user)})
    response["Cache-Control"] = "private, no-store"
    return response


def half_heard_list(reader) -> list[dict]:
    """What the "continue listening" list shows of each narration the reader began and did not finish."""
    return [
        {
            "title": position.article.title,
            "url": position.article.url,
            "at": minutes_and_seconds(position.position_ms),
            "left": spoken_duration(max(0, position.article.narration.duration_ms - position.position_ms)),
        }
        for position in queries.half_heard(reader)
    ]
