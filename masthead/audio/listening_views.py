"""The player's saves of where a logged-in reader stopped listening (POST, CSRF, rate-limited)."""

from __future__ import annotations

from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from masthead.access.paywall import request_article_access
from masthead.audio import queries, services


def refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_POST
def save_position(request, article_id: int):
    """Remember the reader's place in an article's narration; the player sends it every few seconds."""
    if not request.user.is_authenticated:
        return refusal("Log in to keep your place on every device.", 403)
    narration = queries.narration_on_page(article_id)
    if narration is None or not all(r.accept_request(request) for r in narration.article.get_view_restrictions()):
        raise Http404("This article has no audio.")
    if not request_article_access(request, narration.article).allowed:
        return refusal("This article’s audio is for subscribers.", 403)
    try:
        seconds = float(request.POST["position"])
        services.save_listening_position(
            request.user, narration, seconds=seconds, version=request.POST.get("version", "")
        )
    except (KeyError, ValueError) as error:  # BadPosition is a ValueError
        return refusal(f"Send the position in seconds. ({error})", 400)
    return HttpResponse(status=204)
