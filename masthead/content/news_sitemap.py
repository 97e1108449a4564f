"""Google News sitemap: the articles first published in the last 48 hours (Google reads no older ones)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from masthead.content.queries import public_articles

WINDOW = datetime.timedelta(hours=48)
MOST = 1000  # Google's limit per news sitemap


def news_sitemap(request):
    since = timezone.now() - WINDOW
    articles = public_articles().filter(first_published_at__gte=since).order_by("-first_published_at")[:MOST]
    body = render_to_string(
        "content/news_sitemap.xml",
        {
            "articles": [(request.build_absolute_uri(article.url), article) for article in articles],
            "publication": settings.MAGAZINE_NAME,
            "language": settings.LANGUAGE_CODE.split("-")[0],
        },
    )
    return HttpResponse(body, content_type="application/xml; charset=utf-8")
