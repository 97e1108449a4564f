"""Audio files, podcast feeds and the feed-key rotation. Access is always the paywall's decision."""

from __future__ import annotations

import io
from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from masthead.access.paywall import decide_article_access, paywall_settings
from masthead.audio import listening as listening_access
from masthead.audio import queries, services
from masthead.audio.delivery import audio_response
from masthead.audio.feeds import Episode, podcast_feed, transcripts_of
from masthead.audio.listening import private_response

NO_AUDIO = "This article has no audio yet."


def file_url(article_id: int, version: str) -> str:
    return reverse("audio:article_audio", args=[article_id]) + f"?v={version}"


def private_file_url(token: str, article_id: int, version: str) -> str:
    return reverse("audio:private_audio", args=[token, article_id]) + f"?v={version}"


@require_safe
def article_audio(request, article_id: int):
    """The MP3 of an article, to whoever may open its page (Wagtail's page privacy) and the paywall lets read it."""
    listening = listening_access.on_page(request, article_id, NO_AUDIO)
    return listening.refusal or audio_response(request, listening.narration, private=listening.private)


@require_safe
def public_feed(request):
    """The podcast of every free article, for anyone."""
    now, paywall = timezone.now(), paywall_settings(request)
    episodes = [
        Episode(
            narration,
            request.build_absolute_uri(file_url(narration.article_id, narration.version)),
            transcripts_of(narration, request.build_absolute_uri),
        )
        for narration in queries.narrated_articles()
        if decide_article_access(narration.article, None, now=now, settings=paywall).allowed
    ]
    feed = podcast_feed(
        episodes,
        title=f"{settings.MAGAZINE_NAME}: audio",
        description=f"Articles from {settings.MAGAZINE_NAME}, read aloud.",
        feed_url=request.build_absolute_uri(),
        artwork_url=request.build_absolute_uri(reverse("audio:artwork")),
        absolute=request.build_absolute_uri,
        private=False,
    )
    return HttpResponse(feed.writeString("utf-8"), content_type=feed.content_type)


@require_safe
def private_feed(request, token: str):
    """A subscriber's podcast of every article they may hear, while their subscription lasts."""
    feed_token, entitlements = listening_access.subscriber_of(token)
    if not entitlements.audio:
        return private_response(listening_access.forbidden(listening_access.FEED_ENDED), request)
    reader, now, paywall = feed_token.reader, timezone.now(), paywall_settings(request)
    episodes = [
        Episode(
            narration,
            request.build_absolute_uri(private_file_url(token, narration.article_id, narration.version)),
            transcripts_of(narration, request.build_absolute_uri, token),
        )
        for narration in queries.narrated_articles()
        if decide_article_access(
            narration.article, reader, now=now, entitlements=entitlements, settings=paywall
        ).allowed
    ]
    feed = podcast_feed(
        episodes,
        title=f"{settings.MAGAZINE_NAME}: subscriber audio",
        description=f"Every article from {settings.MAGAZINE_NAME}, read aloud. This feed is yours alone.",
        feed_url=request.build_absolute_uri(),
        artwork_url=request.build_absolute_uri(reverse("audio:artwork")),
        absolute=request.build_absolute_uri,
        private=True,
    )
    return private_response(HttpResponse(feed.writeString("utf-8"), content_type=feed.content_type), request)


@require_safe
def private_audio(request, token: str, article_id: int):
    """An episode of a private feed: the token stands in for the session a podcast app lacks."""
    listening = listening_access.in_private_feed(token, article_id, NO_AUDIO)
    response = listening.refusal or audio_response(request, listening.narration, private=True)
    return private_response(response, request)


@login_required
@require_POST
def rotate_feed(request):
    """A new private feed URL; podcast apps subscribed to the old one stop getting episodes."""
    services.rotate_feed_token(request.user)
    messages.success(request, "Your private podcast feed has a new address. Add it to your podcast app again.")
    return redirect(reverse("account") + "#podcast-feed")


@require_safe
def artwork(request):
    """The podcast's square cover: the magazine's name on its colours."""
    response = HttpResponse(cover_png(settings.MAGAZINE_NAME), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@lru_cache(maxsize=4)
def cover_png(name: str, size: int = 1400) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    picture = Image.new("RGB", (size, size), (26, 35, 50))
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=size // 11)
    words, lines = name.split(), [""]
    for word in words:
        trial = f"{lines[-1]} {word}".strip()
        if draw.textlength(trial, font=font) > size * 0.8 and lines[-1]:
            lines.append(word)
        else:
            lines[-1] = trial
    line_height = size // 9
    top = (size - line_height * len(lines)) // 2 - size // 12
    for number, line in enumerate(lines):
        draw.text((size // 10, top + number * line_height), line, font=font, fill=(245, 240, 230))
    draw.rectangle([size // 10, size * 3 // 4, size * 9 // 10, size * 3 // 4 + size // 90], fill=(214, 90, 49))
    draw.text(
        (size // 10, size * 3 // 4 + size // 30),
        "Audio",
        font=ImageFont.load_default(size=size // 16),
        fill=(214, 90, 49),
    )
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
