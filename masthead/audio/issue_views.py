"""An issue's audio: the zip of its MP3s for subscribers, and its playlist in the player."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from masthead.access.entitlements import request_entitlements
from masthead.access.paywall import decide_article_access, paywall_settings
from masthead.audio import conf, queries
from masthead.audio.issue_audio import ensure_stored_zip, issue_audio, zip_file_name
from masthead.audio.templatetags.audio_tags import minutes_and_seconds
from masthead.audio.views import file_url
from masthead.core.page_cache import mark_user_dependent

NOT_SUBSCRIBED = "An issue's audio download is for subscribers."


def audible(request, narrations):
    """The narrations the paywall lets this request hear, in order."""
    paywall = paywall_settings(request)
    user = request.user if request.user.is_authenticated else None
    entitlements = request_entitlements(request)
    return [
        narration
        for narration in narrations
        if decide_article_access(narration.article, user, entitlements=entitlements, settings=paywall).allowed
    ]


@require_safe
def issue_zip(request, issue_id: int):
    """Every narration of the issue as one MP3 per article, in a zip, for a subscriber with audio."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    mark_user_dependent(request)
    if not request_entitlements(request).audio:
        return HttpResponseForbidden(NOT_SUBSCRIBED, content_type="text/plain; charset=utf-8")
    narrations = audible(request, queries.issue_narrations(issue_id))
    audio = issue_audio(narrations)
    if audio is None:
        raise Http404("This issue has no audio yet.")
    return zip_response(ensure_stored_zip(audio), zip_file_name(audio))


def zip_response(name: str, filename: str) -> HttpResponse:
    """The stored zip, sent as the MP3s are: by nginx where AUDIO_SENDFILE_HEADER says so, else by us."""
    storage = conf.audio_storage()
    headers = {
        "Cache-Control": "private, no-store",
        "Content-Disposition": content_disposition_header(as_attachment=True, filename=filename),
    }
    header = conf.sendfile_header()
    if header:
        sent_by = storage.accel_redirect(name) if header == "X-Accel-Redirect" else storage.path(name)
        return HttpResponse(content_type="application/zip", headers={**headers, header: str(sent_by)})
    try:
        response = FileResponse(storage.open_whole(name), content_type="application/zip")
    except FileNotFoundError:  # replaced by a newer issue's zip between the two lines: ask again
        raise Http404("This issue's audio has just changed.") from None
    for key, value in headers.items():
        response[key] = value
    return response


@require_safe
def issue_playlist(request, issue_id: int):
    """The issue's narrations in its order, played one after another in the player."""
    narrations = queries.issue_narrations(issue_id)
    audio = issue_audio(narrations)
    if audio is None:
        raise Http404("This issue has no audio yet.")
    if request.user.is_authenticated:
        mark_user_dependent(request)
    allowed = {narration.pk for narration in audible(request, narrations)}
    tracks = [
        {
            "article": narration.article,
            "src": file_url(narration.article_id, narration.version) if narration.pk in allowed else "",
            "length": minutes_and_seconds(narration.duration_ms),
        }
        for narration in narrations
    ]
    context = {
        "audio": audio,
        "tracks": tracks,
        "playable": any(track["src"] for track in tracks),
        "locked": any(not track["src"] for track in tracks),
        "can_download": request.user.is_authenticated and request_entitlements(request).audio,
        "issue_id": issue_id,
    }
    return render(request, "audio/issue_playlist.html", context)
