"""How a page looks when shared: Open Graph and Twitter card tags, with absolute URLs and the picture's alt text."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()

SHARE_IMAGE = "width-1200"  # wide enough for large cards; the one the page shows, so no extra query


@register.simple_tag(takes_context=True)
def absolute_url(context, url: str) -> str:
    """`url` as a full address (an S3 or CDN address is already one)."""
    request = context.get("request")
    if request is not None:
        return request.build_absolute_uri(url)
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL.rstrip("/") + url


@register.inclusion_tag("content/includes/share_tags.html", takes_context=True)
def share_tags(
    context, *, title: str, description: str = "", url: str = "", image=None, kind: str = "website", contents=()
):
    """The og: and twitter: tags of a page; `image` a CreditedImage or None; an issue's `contents` describe it."""
    if not description and contents:
        description = "In this issue: " + "; ".join(article.title for article in list(contents)[:4])
    share_image = None
    if image is not None:
        rendition = image.get_rendition(SHARE_IMAGE)
        share_image = {
            "url": absolute_url(context, rendition.url),
            "width": rendition.width,
            "height": rendition.height,
            "alt": image.description or image.title,
            "credit": image.credit,
        }
    return {
        "site_name": settings.MAGAZINE_NAME,
        "title": title,
        "description": description,
        "url": url,
        "image": share_image,
        "kind": kind,
    }
