"""RSS and Atom feeds of the latest articles. Feeds are anonymous: gated articles give their teaser only."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from masthead.access.paywall import paywall_settings, public_text
from masthead.content.queries import published_articles


class LatestArticlesFeed(Feed):
    title = settings.MAGAZINE_NAME
    link = "/"
    description = f"The latest from {settings.MAGAZINE_NAME}."

    def items(self):
        # Each item carries its public text, worked out with the paywall settings read once; not kept
        # on self, which every request (and thread) shares.
        articles = list(published_articles()[:50])
        paywall = paywall_settings()
        for article in articles:
            article.feed_text = public_text(article, paywall)
        return articles

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.url

    def item_description(self, item):
        # Readers render a description as HTML; the article's words are text, so a typed "<" stays one.
        return escape(item.feed_text)

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.byline_authors)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_guid(self, item):
        return f"{settings.SITE_URL}/articles/{item.pk}"

    item_guid_is_permalink = False


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description
