"""Writes to published content, shared by the importer, the demo loader and tests."""

from __future__ import annotations

import datetime

from anyascii import anyascii
from django.db import transaction
from django.utils.text import Truncator, slugify

from masthead.content.blocks import PAGE_BREAK, PARAGRAPH
from masthead.content.models import ArticleAuthor, ArticlePage, Author, CreditedImage, SectionPage


def slug_for(name: str) -> str:
    """A web address part from any name: "李明" -> "liming", "Łukasz Ærø" -> "lukasz-aero"."""
    return slugify(anyascii(name))


def author_named(name: str) -> Author:
    """The author with this name, created on first use (names that differ only in case or accents are one author)."""
    slug = slug_for(name)
    if not slug:
        raise ValueError(f"An author's name needs a letter or a digit: {name!r}")
    author, _ = Author.objects.get_or_create(slug=slug, defaults={"name": name})
    return author


def body_from_pages(pages: list[list[str]]) -> list[dict]:
    """StreamField data for web pages of paragraph HTML, with page breaks between them."""
    body: list[dict] = []
    for index, paragraphs in enumerate(pages):
        if index:
            body.append({"type": PAGE_BREAK, "value": None})
        body += [{"type": PARAGRAPH, "value": f"<p>{html}</p>"} for html in paragraphs]
    return body


@transaction.atomic
def create_or_update_article(
    *,
    section: SectionPage,
    slug: str,
    title: str,
    author_names: list[str],
    date: datetime.date,
    pages: list[list[str]] | None = None,
    body: list[dict] | None = None,
    standfirst: str = "",
    hero_image: CreditedImage | None = None,
    hero_credit: str = "",
    hero_caption: str = "",
    publish: bool = True,
    access_level: str | None = None,
    teaser_paragraphs: int | None = None,
) -> ArticlePage:
    """Create the article under `section`, or update the one with this slug; publish it if asked."""
    from masthead.content.placeholder_images import create_placeholder_image

    article = ArticlePage.objects.child_of(section).filter(slug=slug).first()
    is_new = article is None
    if is_new:
        article = ArticlePage(slug=slug)
    article.title = title
    article.draft_title = title
    article.date = date
    article.standfirst = standfirst or article.standfirst
    article.body = body if body is not None else body_from_pages(pages or [])
    if hero_image is None and hero_credit and not article.hero_image:
        hero_image = create_placeholder_image(
            title=f"Placeholder photo: {title}"[:255],
            alt_text=f"Placeholder picture for “{Truncator(title).chars(180)}”; the original photograph is credited.",
            credit=hero_credit,
            seed=slug,
        )
    if hero_image is not None:
        article.hero_image = hero_image
    article.hero_caption = hero_caption or article.hero_caption
    if access_level is not None:
        article.access_level = access_level
    if teaser_paragraphs is not None:
        article.teaser_paragraphs = teaser_paragraphs
    # Bylines list authors in this order; only the admin's forms number them otherwise.
    article.article_authors = [
        ArticleAuthor(author=author_named(name), sort_order=position) for position, name in enumerate(author_names)
    ]
    if is_new:
        article.live = publish  # a draft must not be served before its revision is published
        article.first_published_at = datetime.datetime.combine(date, datetime.time(9), tzinfo=datetime.UTC)
        section.add_child(instance=article)
    elif publish:
        article.save()  # unpublished changes go into the revision only, never into the live row
    revision = article.save_revision()
    if publish:
        revision.publish()
    return article
