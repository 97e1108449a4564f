"""Podcast feeds: RSS 2.0 with the iTunes namespace, Podlove Simple Chapters and Podcasting 2.0 tags
(`podcast:transcript`: each episode's WebVTT, timed per sentence, and its HTML).

Two feeds share this: the public one of free articles, and each subscriber's private one, whose
enclosures carry the subscriber's token because podcast apps have no session.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.feedgenerator import Enclosure, Rss201rev2Feed

from masthead.audio.models import ArticleNarration

EPISODE_ART = "fill-1400x1400|format-jpeg|jpegquality-80"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PSC = "http://podlove.org/simple-chapters"
PODCAST = "https://podcastindex.org/namespace/1.0"


@dataclass(frozen=True)
class Episode:
    narration: ArticleNarration
    file_url: str  # absolute
    transcript_urls: tuple[tuple[str, str], ...] = ()  # (absolute URL, MIME type)


def transcripts_of(narration: ArticleNarration, absolute, token: str | None = None) -> tuple[tuple[str, str], ...]:
    """The episode's podcast:transcript links (WebVTT timed per sentence, then HTML); none before it has cues.

    With a private feed's `token`, the links carry it, as its enclosures do.
    """
    if not narration.cues:
        return ()
    prefix, args = ("audio:private_", [token, narration.article_id]) if token else ("audio:", [narration.article_id])
    return (
        (absolute(reverse(f"{prefix}vtt", args=args)), "text/vtt"),
        (absolute(reverse(f"{prefix}transcript", args=args)), "text/html"),
    )


def clock(milliseconds: int) -> str:
    """Normal play time for psc:chapter: "00:01:05.250"."""
    seconds, millis = divmod(milliseconds, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def episode_guid(article_id: int) -> str:
    """Stable across re-narration, token rotation and both feeds: podcast apps key episodes on it."""
    return f"{settings.SITE_URL.rstrip('/')}/audio/articles/{article_id}"


class PodcastFeed(Rss201rev2Feed):
    def rss_attributes(self):
        attributes = super().rss_attributes()
        attributes.update({"xmlns:itunes": ITUNES, "xmlns:psc": PSC, "xmlns:podcast": PODCAST})
        return attributes

    def add_root_elements(self, handler):
        super().add_root_elements(handler)
        feed = self.feed
        handler.addQuickElement("itunes:author", feed["itunes_author"])
        handler.addQuickElement("itunes:summary", feed["description"])
        handler.addQuickElement("itunes:type", "episodic")
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:image", None, {"href": feed["artwork_url"]})
        handler.startElement("itunes:owner", {})
        handler.addQuickElement("itunes:name", feed["itunes_author"])
        handler.endElement("itunes:owner")
        handler.addQuickElement("itunes:category", None, {"text": "News"})
        handler.startElement("image", {})
        handler.addQuickElement("url", feed["artwork_url"])
        handler.addQuickElement("title", feed["title"])
        handler.addQuickElement("link", feed["link"])
        handler.endElement("image")
        if feed["private"]:
            # Keep a subscriber's feed out of directories, and tell apps it must not be republished.
            handler.addQuickElement("itunes:block", "Yes")
            handler.addQuickElement("podcast:locked", "yes")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("itunes:title", item["title"])
        handler.addQuickElement("itunes:author", item["author_name"] or "")
        handler.addQuickElement("itunes:duration", str(item["duration_seconds"]))
        handler.addQuickElement("itunes:episodeType", "full")
        handler.addQuickElement("itunes:explicit", "false")
        handler.addQuickElement("itunes:image", None, {"href": item["artwork_url"]})
        if item["chapters"]:
            handler.startElement("psc:chapters", {"version": "1.2"})
            for chapter in item["chapters"]:
                handler.addQuickElement(
                    "psc:chapter", None, {"start": clock(chapter["start_ms"]), "title": chapter["title"]}
                )
            handler.endElement("psc:chapters")
        for url, mime_type in item["transcripts"]:
            attributes = {"url": url, "type": mime_type, "language": "en"}
            if mime_type == "text/vtt":
                attributes["rel"] = "captions"
            handler.addQuickElement("podcast:transcript", None, attributes)


def episode_artwork(article, fallback: str, absolute) -> str:
    if not article.hero_image:
        return fallback
    try:
        return absolute(article.hero_image.get_rendition(EPISODE_ART).url)
    except Exception:
        return fallback


def podcast_feed(
    episodes: list[Episode], *, title: str, description: str, feed_url: str, artwork_url: str, absolute, private: bool
) -> PodcastFeed:
    """The feed of these episodes; `absolute` turns a site path into a full URL."""
    feed = PodcastFeed(
        title=title,
        link=settings.SITE_URL,
        description=description,
        language="en-us",
        feed_url=feed_url,
        feed_copyright=f"© {settings.PUBLISHER_NAME}",
        itunes_author=settings.MAGAZINE_NAME,
        artwork_url=artwork_url,
        private=private,
    )
    for episode in episodes:
        narration = episode.narration
        article = narration.article
        authors = article.byline_names
        feed.add_item(
            title=article.title,
            link=article.full_url or settings.SITE_URL,
            description=article.standfirst or f"{article.title}, by {authors}.",
            author_name=authors,
            pubdate=article.first_published_at,
            unique_id=episode_guid(article.pk),
            unique_id_is_permalink=False,
            enclosures=[Enclosure(episode.file_url, str(narration.file_size), "audio/mpeg")],
            duration_seconds=round(narration.duration_ms / 1000),
            artwork_url=episode_artwork(article, artwork_url, absolute),
            chapters=narration.chapters,
            transcripts=episode.transcript_urls,
        )
    return feed
