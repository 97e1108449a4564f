"""The PDF edition of an issue: its live articles laid out for print by WeasyPrint, cover to last page.

The layout lives in the template and its print stylesheet (`templates/editions/pdf/`): CSS Paged
Media gives the running headers, the page numbers and the contents' page references. This module
only gathers what the pages show, as plain values the template escapes, and lends WeasyPrint the
pictures from storage: it fetches nothing else, so a link in an article can never reach the network.
"""

from __future__ import annotations

import logging
import mimetypes

import nh3
from django.conf import settings
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from masthead.content.models import ArticlePage, CreditedImage, CreditedRendition
from masthead.editions.edition_content import RICH_TEXT_TAGS, Picture, body_images, edition_article, xml_picture
from masthead.editions.models import Issue
from masthead.editions.queries import issue_contents

logger = logging.getLogger(__name__)

# Bump when the layout or the stylesheet change: every issue's PDF is then built anew (editions/builds.py).
FORMAT_VERSION = "1"
# About 190 dpi (hero) and 145 dpi (inline) across the 158 mm text column; the web pages use the same
# two sizes, so their renditions are shared.
COVER_SPEC = "fill-1200x1400"
HERO_SPEC = "width-1200"
INLINE_SPEC = "width-900"
PICTURE_SCHEME = "edition-picture"
# Internal links (no href in the stored HTML) print as their text.
RICH_TEXT_ATTRIBUTES = {"a": {"href"}}


class EditionPictures(URLFetcher):
    """Hands WeasyPrint the edition's renditions, read through storage; every other URL is refused."""

    def __init__(self):
        super().__init__()
        self._renditions: dict[str, CreditedRendition] = {}

    def picture(self, image: CreditedImage | None, caption: str = "", *, hero: bool = False) -> Picture | None:
        return self.picture_at(image, HERO_SPEC if hero else INLINE_SPEC, caption)

    def picture_at(self, image: CreditedImage | None, spec: str, caption: str = "") -> Picture | None:
        if image is None:
            return None
        try:
            rendition = image.get_rendition(spec)
        except Exception:
            # A picture whose file is lost must not cost subscribers the whole issue.
            logger.warning("Image %s left out of the PDF edition", image.pk, exc_info=True)
            return None
        src = f"{PICTURE_SCHEME}:{rendition.pk}"
        self._renditions[src] = rendition
        return Picture(src=src, alt=image.description or "", caption=caption, credit=image.credit)

    def fetch(self, url, headers=None):
        rendition = self._renditions.get(url)
        if rendition is None:
            raise ValueError(f"The PDF edition loads only its own pictures, not {url}")
        with rendition.file.storage.open(rendition.file.name, "rb") as picture:
            data = picture.read()
        content_type = mimetypes.guess_type(rendition.file.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": content_type})


def build_issue_pdf(issue: Issue, articles: list[ArticlePage] | None = None) -> bytes:
    """The issue as a print-ready PDF: cover, contents with page numbers, then every article in full.

    The whole text goes in, whatever the articles' access level: the PDF is the subscribers'
    product, and who may download it is decided by the caller, through `access`.
    """
    articles = issue_contents(issue) if articles is None else articles
    images = [issue.cover_image, *(article.hero_image for article in articles), *body_images(articles)]
    _prefetch_renditions([image for image in images if image is not None])

    pictures = EditionPictures()
    html = render_to_string(
        "editions/pdf/issue.html",
        {
            "issue": issue,
            "magazine_name": settings.MAGAZINE_NAME,
            "language": settings.LANGUAGE_CODE,
            "cover": xml_picture(pictures.picture_at(issue.cover_image, COVER_SPEC)),
            "articles": [
                edition_article(position, article, pictures.picture, _printable_rich_text)
                for position, article in enumerate(articles, start=1)
            ],
        },
    )
    return HTML(string=html, url_fetcher=pictures, media_type="print").write_pdf()


def _prefetch_renditions(images: list[CreditedImage]) -> None:
    """One query for every rendition the edition may reuse, instead of one per picture."""
    renditions = CreditedRendition.objects.filter(filter_spec__in=[COVER_SPEC, HERO_SPEC, INLINE_SPEC])
    prefetch_related_objects(images, Prefetch("renditions", queryset=renditions, to_attr="prefetched_renditions"))


def _printable_rich_text(source: str) -> SafeString:
    """Stored rich text cut down to inline emphasis and absolute links, so nothing in it loads or runs."""
    cleaned = nh3.clean(
        source,
        tags=RICH_TEXT_TAGS,
        attributes=RICH_TEXT_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        url_relative="deny",
        link_rel=None,
    )
    if not cleaned.lstrip().startswith("<p"):
        cleaned = f"<p>{cleaned}</p>"  # a paragraph saved without its element still prints as one
    return mark_safe(cleaned)  # noqa: S308 (sanitised just above)
