"""Who may hear a narration (its MP3 and its transcript alike): one decision for the views that serve them.

On the site, the page's own privacy comes first (Wagtail's restrictions, asked as Wagtail asks them
before serving the page: a password given in this session, a login, a group), then the paywall. In a
private podcast feed the token stands in for the session a podcast app lacks: the feed's reader must
still have audio, and the paywall must let them read the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpResponse, HttpResponseForbidden

from masthead.access.entitlements import entitlements_for
from masthead.access.paywall import decide_article_access, request_article_access
from masthead.audio import queries
from masthead.audio.models import ArticleNarration
from masthead.core.page_cache import mark_user_dependent

SUBSCRIBERS_ONLY = "This article’s audio is for subscribers."
FEED_ENDED = "This private podcast feed belongs to a subscription that has ended. Subscribe again to listen."


def forbidden(message: str) -> HttpResponse:
    return HttpResponseForbidden(message, content_type="text/plain; charset=utf-8")


@dataclass(frozen=True)
class Listening:
    narration: ArticleNarration
    refusal: HttpResponse | None  # 403 with the reason, or None: they may listen
    private: bool  # gated, or on a restricted page: never in a shared cache


def on_page(request, article_id: int, missing: str) -> Listening:
    """The narration on an article's page, for this request; 404 (`missing`) for none or a page they may not open."""
    narration = queries.narration_on_page(article_id)
    if narration is None:
        raise Http404(missing)
    restrictions = list(narration.article.get_view_restrictions())
    if not all(restriction.accept_request(request) for restriction in restrictions):
        raise Http404(missing)  # anyone who may not open the page finds nothing here either
    access = request_article_access(request, narration.article)
    private = access.gated or bool(restrictions)
    if private:
        mark_user_dependent(request)
    return Listening(narration, None if access.allowed else forbidden(SUBSCRIBERS_ONLY), private)


def subscriber_of(token: str):
    """The feed key and entitlements behind a private URL; 404 for an unknown or rotated token."""
    feed_token = queries.feed_token(token)
    if feed_token is None:
        raise Http404("No such feed.")
    return feed_token, entitlements_for(feed_token.reader)


def in_private_feed(token: str, article_id: int, missing: str) -> Listening:
    """The narration behind a private feed's episode, for the feed's reader; always private."""
    feed_token, entitlements = subscriber_of(token)
    narration = queries.narration_for_file(article_id)
    if narration is None:
        raise Http404(missing)
    if not entitlements.audio:
        return Listening(narration, forbidden(FEED_ENDED), private=True)
    access = decide_article_access(narration.article, feed_token.reader, entitlements=entitlements)
    return Listening(narration, None if access.allowed else forbidden(SUBSCRIBERS_ONLY), private=True)


def private_response(response: HttpResponse, request) -> HttpResponse:
    # Podcast apps have no session cookie: without this, the anonymous page cache would keep the
    # feed (and serve it after a rotation or the end of the subscription).
    mark_user_dependent(request)
    response["Cache-Control"] = "private, no-store"
    return response
