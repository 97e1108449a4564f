"""What both importers build: authors, sections, articles (through content's own services) and old paths.

The importers read their formats into these plain records; `SiteImport` turns them into our pages,
remembering which row each old record became (so a second run changes nothing) and answering each
old URL with a 301 to the new one through Wagtail's redirects (one lookup, on a 404 only).
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.utils.html import strip_tags
from wagtail.contrib.redirects.models import Redirect

from masthead.content.blocks import PARAGRAPH
from masthead.content.models import FREE, RESERVED_SLUGS, ArticlePage, Author, HomePage, SectionPage
from masthead.content.services import create_or_update_article, slug_for
from masthead.moving.html_body import PAYWALL_MARKER, Body, body_from_html
from masthead.moving.images import ImageFolder
from masthead.moving.report import ImportReport, RecordProblem, RememberedRecords, Where, fingerprint

STANDFIRST_LIMIT = 600


@dataclass
class OldAuthor:
    key: str  # the old site's id for it
    name: str
    bio: str = ""
    old_path: str = ""
    where: Where = field(default_factory=lambda: Where("author"))
    photo: str = ""  # the old address of their profile picture


@dataclass
class OldSection:
    key: str
    name: str
    slug: str
    description: str = ""
    old_path: str = ""
    where: Where = field(default_factory=lambda: Where("section"))


# In a Ghost article's fingerprint: articles imported before the teaser followed the preview are updated once.
TEASER_RULE = "teaser: the preview above the paywall marker, else none"


@dataclass
class OldArticle:
    key: str
    where: Where
    title: str
    slug: str
    published_at: datetime.datetime
    published: bool
    section_key: str
    author_keys: list[str]
    pages_html: list[str]  # one HTML string per web page
    access_level: str = FREE
    # The old site showed readers without access only what stands above PAYWALL_MARKER, nothing without one (Ghost).
    preview_above_marker: bool = False
    standfirst: str = ""
    feature_image: str = ""
    feature_image_alt: str = ""
    feature_image_credit: str = ""
    old_path: str = ""
    notes: Counter = field(default_factory=Counter)  # the report's notes about this record, counted
    left_out: Counter = field(default_factory=Counter)  # cards or shortcodes kept as links or left out, by kind
    problems: list[str] = field(default_factory=list)  # named in the report; the article is imported anyway


class SiteImport:
    """One import's authors, sections and articles, written through content's services."""

    def __init__(self, source: str, report: ImportReport, images: ImageFolder, *, old_site_url: str = "", home=None):
        self.source = source
        self.report = report
        self.images = images
        self.old_site_url = old_site_url
        self.home = home or HomePage.objects.first()
        self.authors: dict[str, OldAuthor] = {}
        self.sections: dict[str, OldSection] = {}
        self.author_rows: dict[str, Author] = {}
        self.section_rows: dict[str, SectionPage] = {}
        self.records = RememberedRecords(source)
        self.article_ids: set[int] | None = None  # our articles' ids, read once, so an unchanged post costs no query
        self.last_outcome = ""

    # -- authors ----------------------------------------------------------------------------------

    def author(self, key: str) -> Author:
        """Our author for an old author (created or brought up to date once per run)."""
        if key in self.author_rows:
            self.last_outcome = "unchanged"
            return self.author_rows[key]
        old = self.authors.get(key)
        if old is None:
            raise RecordProblem(f"names an author ({key}) the export does not have")
        slug = slug_for(old.name)
        if not slug:
            raise RecordProblem(f"the author's name {old.name!r} has no letters or digits")
        print_ = fingerprint(old.name, old.bio, *([old.photo] if old.photo else []))
        record = self.records.get("author", key)
        author = Author.objects.filter(pk=record.object_id).first() if record else None
        if author is not None and record.fingerprint == print_:
            self.last_outcome = self.report.count("authors", "unchanged")
        else:
            author = author or Author.objects.filter(slug=slug).first()
            outcome = "updated" if author is not None else "created"
            author = author or Author(slug=slug)
            author.name = old.name[: Author._meta.get_field("name").max_length]
            author.bio = strip_tags(old.bio)
            author.photo = self.author_photo(old) or author.photo
            author.save()
            self.records.remember("author", key, author.pk, print_)
            self.last_outcome = self.report.count("authors", outcome)
        self.redirect(old.old_path, old.where, url=author.get_absolute_url())
        self.author_rows[key] = author
        return author

    def author_photo(self, old: OldAuthor):
        if not old.photo:
            return None
        photo = self.images.image_for(old.photo.replace("__GHOST_URL__", ""), alt=old.name, credit="", title=old.name)
        if photo is None and not self.report.dry_run:
            self.report.note("author photos whose file was not in the export folder (left out)")
        return photo

    # -- sections ---------------------------------------------------------------------------------

    def section(self, key: str) -> SectionPage:
        """Our section for an old tag or category: the one with its slug, or a new one, published."""
        if key in self.section_rows:
            return self.section_rows[key]
        old = self.sections[key]
        slug = slug_for(old.slug or old.name)[:50] or "section"
        if slug in RESERVED_SLUGS:
            slug = f"{slug}-section"
        section = SectionPage.objects.filter(slug=slug).first()
        if section is None:
            section = SectionPage(title=old.name[:255], slug=slug, intro=strip_tags(old.description))
            self.home.add_child(instance=section)  # a dry run rolls this back with the rest
            section.save_revision().publish()
            self.report.count("sections", "created")
        else:
            self.report.count("sections", "unchanged")
        self.records.remember("section", key, section.pk, fingerprint(old.name, old.slug))
        self.redirect(old.old_path, old.where, page=section)
        self.section_rows[key] = section
        return section

    # -- articles ---------------------------------------------------------------------------------

    def article(self, old: OldArticle) -> str:
        """Create, update or leave the article for an old post; returns what happened to it."""
        section = self.section(old.section_key)
        authors = [self.author(key) for key in old.author_keys]
        if not authors:
            raise RecordProblem("has no author")
        print_ = fingerprint(
            old.title, old.slug, old.published_at, old.published, section.pk, [a.pk for a in authors],
            old.pages_html, old.access_level, old.standfirst, old.feature_image, old.feature_image_alt,
            old.feature_image_credit, old.old_path, *([TEASER_RULE] if old.preview_above_marker else []),
        )  # fmt: skip
        record = self.records.get("article", old.key)
        if self.article_ids is None:
            self.article_ids = set(ArticlePage.objects.values_list("pk", flat=True))
        if record is not None and record.object_id in self.article_ids and record.fingerprint == print_:
            return self.report.count("articles", "unchanged")
        existing = ArticlePage.objects.filter(pk=record.object_id).first() if record else None
        slug = self.free_slug(section, old.slug or slug_for(old.title), existing)
        preview_ends = f"masthead-preview-ends-{uuid.uuid4().hex}"
        pages = [page.replace(PAYWALL_MARKER, f"<p>{preview_ends}</p>", 1) if not number else page
                 for number, page in enumerate(old.pages_html)]  # fmt: skip
        body = body_from_html(pages, find_image=self.body_image(old), old_site_url=self.old_site_url)
        preview = paragraphs_before(body, preview_ends)  # the mark's own paragraph taken out
        left_out = old.left_out + body.left_out
        for what, number in left_out.items():
            self.report.note(f"left out of article bodies: {what}", number)
        self.report.record_note(old.where, left_out)
        for what, number in old.notes.items():
            self.report.note(what, number)
        for message in old.problems:
            self.report.problem(old.where, message, skipped=False)
        if not body.blocks:
            self.report.problem(old.where, "its body is empty after cleaning", skipped=False)
        hero = None
        if old.feature_image:
            hero = self.images.image_for(
                old.feature_image.replace("__GHOST_URL__", ""),
                alt=old.feature_image_alt or old.title,
                credit=old.feature_image_credit,
                title=old.title,
            )
            if hero is None and not self.report.dry_run:
                self.report.note("feature images whose file was not in the export folder (left out)")
        article = create_or_update_article(
            section=section,
            slug=slug,
            title=old.title[:255],
            author_names=[author.name for author in authors],
            date=old.published_at.date(),
            body=body.blocks,
            standfirst=strip_tags(old.standfirst)[:STANDFIRST_LIMIT],
            hero_image=hero,
            publish=old.published,
            access_level=old.access_level,
            # Readers without access see what the old site showed them: the paragraphs above its paywall
            # marker, or none (a members' post with no marker showed them nothing of its body).
            teaser_paragraphs=preview if old.preview_above_marker and old.access_level != FREE else None,
        )
        if old.published:
            ArticlePage.objects.filter(pk=article.pk).update(
                first_published_at=old.published_at, last_published_at=old.published_at
            )
            self.redirect(old.old_path, old.where, page=article)
            for number in range(2, article.page_count + 1):
                self.redirect(f"{old.old_path.rstrip('/')}/{number}/", old.where, page=article, route=f"/{number}/")
        self.records.remember("article", old.key, article.pk, print_)
        self.article_ids.add(article.pk)
        return self.report.count("articles", "updated" if existing is not None else "created")

    def free_slug(self, section: SectionPage, wanted: str, mine: ArticlePage | None) -> str:
        """The slug to use: the wanted one unless another article in the section has it."""
        wanted = (slug_for(wanted) or "article")[:200]
        if mine is not None and mine.get_parent().pk == section.pk:
            return mine.slug
        slug, number = wanted, 1
        while ArticlePage.objects.child_of(section).filter(slug=slug).exists():
            number += 1
            slug = f"{wanted}-{number}"
        return slug

    def body_image(self, old: OldArticle):
        def find(src: str, alt: str, caption: str) -> int | None:
            # The caption is the image block's own (shown under it); the picture's credit is left to the feature
            # image's caption, or to an editor, so a caption is never shown twice.
            image = self.images.image_for(
                src.replace("__GHOST_URL__", ""), alt=alt or caption or old.title, credit="", title=old.title
            )
            return image.pk if image else None

        return find

    # -- old paths --------------------------------------------------------------------------------

    def redirect(self, old_path: str, where: Where, *, page=None, url: str = "", route: str = "") -> None:
        """Answer the old path with a 301 to `page` (following it if it moves) or `url`."""
        if not old_path:
            return
        path = Redirect.normalise_path(old_path)
        if path in ("", "/"):
            return
        target_path = (page.url if page is not None else url) or ""
        if path == Redirect.normalise_path(target_path + route.lstrip("/")):
            return  # the old address is the new one
        existing = Redirect.objects.filter(site=None, old_path=path).first()
        if existing is not None:
            same = (
                existing.redirect_page_id == page.pk and existing.redirect_page_route_path == route
                if page is not None
                else existing.redirect_link == url
            )
            if same:
                self.report.count("old paths", "unchanged")
            else:
                self.report.problem(where, f"the old path {path} already redirects elsewhere; left as it was",
                                    skipped=False)  # fmt: skip
            return
        Redirect.add_redirect(path, redirect_to=page if page is not None else url, page_route_path=route or None)
        self.report.count("old paths", "created")

    def forget(self) -> None:
        """After a record's writes were rolled back: read authors, sections and records from the database again."""
        self.author_rows.clear()
        self.section_rows.clear()
        self.records.forget()
        self.article_ids = None


def paragraphs_before(body: Body, mark: str) -> int:
    """How many paragraphs come before the block holding `mark` (put in page 1, so all of them are page 1's); 0
    when there is none. The mark is taken out of `body`: its own paragraph, or only the mark where html written
    by hand had the paywall marker inside a paragraph, list, quotation or heading (whose words all stay, gated)."""
    for index, block in enumerate(body.blocks):
        if mark not in str(block["value"]):
            continue
        value = without_mark(block["value"], mark)
        if block["type"] == PARAGRAPH and not strip_tags(value).strip():
            del body.blocks[index]
        else:
            block["value"] = value
        return sum(1 for earlier in body.blocks[:index] if earlier["type"] == PARAGRAPH)
    return 0


def without_mark(value, mark: str):
    """A block's value (its HTML or text, or a dict or list of them) with `mark` and the space around it taken out."""
    if isinstance(value, str):
        text = re.sub(rf"\s*(?:<p>)?{re.escape(mark)}(?:</p>)?\s*", " ", value)
        return re.sub(r"\s+(?=</p>)|(?<=<p>)\s+", "", text).strip()
    if isinstance(value, dict):
        return {key: without_mark(item, mark) for key, item in value.items()}
    if isinstance(value, list):
        return [without_mark(item, mark) for item in value]
    return value
