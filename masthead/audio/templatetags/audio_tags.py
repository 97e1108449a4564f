"""Template tags: the article's audio player, "continue listening", and the account page's private feed panel."""

from __future__ import annotations

from django import template
from django.urls import reverse

from masthead.access.entitlements import request_entitlements
from masthead.access.paywall import request_article_access
from masthead.audio import queries, services
from masthead.audio.views import file_url

register = template.Library()


def minutes_and_seconds(milliseconds: int) -> str:
    seconds = round(milliseconds / 1000)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def spoken_duration(milliseconds: int) -> str:
    minutes = max(1, round(milliseconds / 60000))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@register.inclusion_tag("audio/player.html")
def audio_player(request, article):
    """`{% audio_player request page %}`: the player if the reader may listen, the offer if not, else nothing."""
    narration = queries.audio_of(article)
    if narration is None:
        return {"show": False}
    access = request_article_access(request, article)
    context = {
        "show": True,
        "allowed": access.allowed,
        "article": article,
        "length": spoken_duration(narration.duration_ms),
        "logged_in": request.user.is_authenticated,
        "next_path": request.path,
    }
    if access.allowed:
        context.update(
            src=file_url(article.pk, narration.version),
            version=narration.version,
            duration_seconds=f"{narration.duration_seconds:.3f}",
            duration_label=minutes_and_seconds(narration.duration_ms),
            chapters=[
                {
                    "title": chapter["title"],
                    "start": f"{chapter['start_ms'] / 1000:.3f}",
                    "end": f"{chapter['end_ms'] / 1000:.3f}",
                    "at": minutes_and_seconds(chapter["start_ms"]),
                }
                for chapter in narration.chapters
            ],
        )
        if request.user.is_authenticated:
            # The page is shared by the reader's whole audience: the player asks this address for the
            # reader's own place (and a CSRF token to save it with).
            context["position_url"] = reverse("audio:listening_position", args=[article.pk])
    return context


@register.inclusion_tag("audio/continue_listening.html")
def continue_listening(request):
    """`{% continue_listening request %}` on the home page: narrations the reader began and did not finish.

    Filled in by a script, so the page is the same for every reader of its audience: a logged-in
    reader's list comes from the server (any device), an anonymous reader's from the browser's
    local storage.
    """
    return {"source": reverse("audio:continue_listening") if request.user.is_authenticated else ""}


@register.inclusion_tag("audio/account_feed.html", takes_context=True)
def podcast_feed_panel(context):
    """`{% podcast_feed_panel %}` on /account/: the reader's private feed URL and its rotate button."""
    request = context["request"]
    panel = {"request": request, "csrf_token": context.get("csrf_token")}
    if request.user.is_authenticated and request_entitlements(request).audio:
        token = services.feed_token_for(request.user)
        panel["feed_url"] = request.build_absolute_uri(reverse("audio:private_feed", args=[token.token]))
    panel["public_feed_url"] = request.build_absolute_uri(reverse("audio:public_feed"))
    return panel


@register.inclusion_tag("audio/issue_audio_panel.html")
def issue_audio_panel(issue):
    """`{% issue_audio_panel issue %}` on the issue page: its playlist and zip, when its articles have audio.

    The same for every reader (the page may be cached); the playlist and the zip ask the paywall.
    """
    narrations = queries.issue_narrations(issue.pk)
    return {"issue_id": issue.pk, "count": len(narrations)}
