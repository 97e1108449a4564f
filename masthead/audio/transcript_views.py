"""Transcripts of narrations (WebVTT and HTML), to whoever may hear the narration: the paywall decides."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from masthead.audio import listening as listening_access
from masthead.audio.listening import private_response
from masthead.audio.models import ArticleNarration
from masthead.audio.transcripts import transcript_html, webvtt

NO_TRANSCRIPT = "This article has no transcript yet."
FORMATS = {"vtt": "text/vtt; charset=utf-8", "html": "text/html; charset=utf-8"}


def transcript_response(narration: ArticleNarration, file_format: str) -> HttpResponse:
    if not narration.cues:
        raise Http404(NO_TRANSCRIPT)  # narrated before transcripts were kept: the next narration adds one
    body = webvtt(narration.cues) if file_format == "vtt" else transcript_html(narration)
    return HttpResponse(body, content_type=FORMATS[file_format])


@require_safe
def article_transcript(request, article_id: int, file_format: str):
    """An article's transcript, to whoever may open its page and the paywall lets listen (as its MP3)."""
    listening = listening_access.on_page(request, article_id, NO_TRANSCRIPT)
    if listening.refusal:
        return listening.refusal
    response = transcript_response(listening.narration, file_format)
    if listening.private:
        response["Cache-Control"] = "private"
    return response


@require_safe
def private_transcript(request, token: str, article_id: int, file_format: str):
    """A private feed episode's transcript: the token stands in for the session a podcast app lacks."""
    listening = listening_access.in_private_feed(token, article_id, NO_TRANSCRIPT)
    response = listening.refusal or transcript_response(listening.narration, file_format)
    return private_response(response, request)
