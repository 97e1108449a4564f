"""Transcripts of narrations (WebVTT and HTML), to whoever may hear the narration: the paywall decides."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.views.decorators.http import require_safe

from masthead.access.paywall import decide_article_access, request_article_access
from masthead.audio import queries
from masthead.audio.models import ArticleNarration
from masthead.audio.transcripts import transcript_html, webvtt
from masthead.audio.views import FEED_ENDED, SUBSCRIBERS_ONLY, private_response, subscriber_of
from masthead.core.page_cache import mark_user_dependent

NO_TRANSCRIPT = "This article has no transcript yet."
FORMATS = {"vtt": "text/vtt; charset=utf-8", "html": "text/html; charset=utf-8"}


def transcript_response(narration: ArticleNarration, file_format: str) -> HttpResponse:
    if not narration.cues:
        raise Http404(NO_TRANSCRIPT)  # narrated before transcripts were kept: the next narration adds one
    body = webvtt(narration.cues) if file_format == "vtt" else transcript_html(narration)
    return HttpResponse(body, content_type=FORMATS[file_format])


def forbidden(message: str) -> HttpResponse:
    return HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")


@require_safe
def article_transcript(request, article_id: int, file_format: str):
    """An article's transcript, to whoever may open its page and the paywall lets listen (as its MP3)."""
    narration = queries.narration_on_page(article_id)
    if narration is None:
        raise Http404(NO_TRANSCRIPT)
    restrictions = list(narration.article.get_view_restrictions())
    if not all(restriction.accept_request(request) for restriction in restrictions):
        raise Http404(NO_TRANSCRIPT)
    access = request_article_access(request, narration.article)
    if access.gated or restrictions:
        mark_user_dependent(request)
    if not access.allowed:
        return forbidden(SUBSCRIBERS_ONLY)
    response = transcript_response(narration, file_format)
    if access.gated or restrictions:
        response["Cache-Control"] = "private"
    return response


@require_safe
def private_transcript(request, token: str, article_id: int, file_format: str):
    """A private feed episode's transcript: the token stands in for the session a podcast app lacks."""
    feed_token, entitlements = subscriber_of(token)
    narration = queries.narration_for_file(article_id)
    if narration is None:
        raise Http404(NO_TRANSCRIPT)
    if not entitlements.audio:
        return private_response(forbidden(FEED_ENDED), request)
    if not decide_article_access(narration.article, feed_token.reader, entitlements=entitlements).allowed:
        return private_response(forbidden(SUBSCRIBERS_ONLY), request)
    return private_response(transcript_response(narration, file_format), request)
