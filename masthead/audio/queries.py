"""Named reads of the audio app: an article's audio, feed episodes, and who a feed token belongs to.

Who may hear what is never decided here: every caller asks masthead.access.paywall.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from masthead.audio.models import ArticleNarration, ListeningPosition, PodcastFeedToken
from masthead.core.page_tags import NARRATIONS, shows


def audio_of(article) -> ArticleNarration | None:
    """The article's narration if it has a file to play (possibly while a newer one is made)."""
    return ArticleNarration.objects.filter(article=article).exclude(file_name="").first()


def narrated_articles() -> QuerySet[ArticleNarration]:
    """Narrations with audio of public articles (live, no page privacy), newest first, with what a feed item shows."""
    from masthead.content.models import ArticleAuthor
    from masthead.content.queries import public_articles

    shows(NARRATIONS)
    return (
        ArticleNarration.objects.exclude(file_name="")
        .filter(article__in=public_articles())
        .select_related("article", "article__hero_image")
        .prefetch_related(
            Prefetch(
                "article__article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
            )
        )
        .order_by("-article__date", "-article__first_published_at", "-article_id")
    )


def narration_for_file(article_id: int) -> ArticleNarration | None:
    """The narration a feed's enclosure plays: a public live article's, as the feeds list them."""
    return narrated_articles().filter(article_id=article_id).first()


def narration_on_page(article_id: int) -> ArticleNarration | None:
    """The narration the player on a live article's page plays, private page or not.

    Only for a caller that then checks the page's view restrictions against the request, as Wagtail
    does for the page itself.
    """
    return (
        ArticleNarration.objects.exclude(file_name="")
        .filter(article__live=True, article_id=article_id)
        .select_related("article")
        .first()
    )


def feed_token(token: str) -> PodcastFeedToken | None:
    """The feed key this URL token belongs to; the lookup is by hash, then compared in constant time."""
    if not token or len(token) > 100:
        return None
    found = (
        PodcastFeedToken.objects.select_related("reader")
        .filter(token_hash=PodcastFeedToken.hash_of(token), reader__is_active=True)
        .first()
    )
    if found is None or not found.matches(token):
        return None
    return found


def narration_status_counts() -> dict[str, int]:
    from django.db.models import Count

    rows = ArticleNarration.objects.values("status").annotate(count=Count("pk"))
    return {row["status"]: row["count"] for row in rows}


def listening_position(reader, article) -> ListeningPosition | None:
    """Where a logged-in reader stopped in the article's narration, if they have listened to it."""
    if not reader.is_authenticated:
        return None
    return ListeningPosition.objects.filter(reader=reader, article=article).first()


def half_heard(reader, limit: int = 3) -> list[ListeningPosition]:
    """The reader's narrations begun and not finished, most recently heard first, with their articles."""
    from masthead.content.queries import public_articles

    if not reader.is_authenticated:
        return []
    return list(
        ListeningPosition.objects.filter(
            reader=reader,
            finished=False,
            position_ms__gte=ListeningPosition.STARTED_AFTER_MS,
            article__in=public_articles(),
            article__narration__file_name__gt="",
        )
        .select_related("article", "article__narration")
        .order_by("-updated_at")[:limit]
    )


def issue_narrations(issue_id: int) -> list[ArticleNarration]:
    """Narrations of a published issue's public articles, in its table-of-contents order.

    Reached through the article's `issue_entry` relation (the editions app's table), so audio
    never imports editions, its neighbour in the layers.
    """
    from masthead.content.queries import public_articles

    shows(NARRATIONS)
    return list(
        ArticleNarration.objects.exclude(file_name="")
        .filter(
            article__in=public_articles(),
            article__issue_entry__issue_id=issue_id,
            article__issue_entry__issue__live=True,
        )
        .select_related("article", "article__issue_entry__issue")
        .order_by("article__issue_entry__sort_order", "article_id")
    )
