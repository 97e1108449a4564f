"""Load the demo magazine into the database: authors, the seed article, generated articles, live issues.

Every step is keyed on something natural (an author's slug, an article's slug, an issue's cover date),
so an interrupted load picks up where it stopped; a complete demo is detected and left alone.
Articles and issues are published as an editor publishes them, so the background work that
publishing sets off (search and reference indexes, narration) goes to the task queue as usual.
"""

from __future__ import annotations

import datetime
import os
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from masthead.content.blocks import IMAGE
from masthead.content.importer import ArticleImportError, import_articles, parse_path
from masthead.content.models import FREE, SUBSCRIBERS, ArticlePage, CreditedImage, SectionPage
from masthead.content.placeholder_images import create_placeholder_image
from masthead.content.queries import attach_sections
from masthead.content.services import author_named, create_or_update_article
from masthead.demo import banks
from masthead.demo.writing import (
    SEED,
    ArticleDraft,
    PictureSpec,
    author_portrait,
    cover_picture,
    draft_articles,
    issue_theme,
    typeset,
)
from masthead.editions.models import Issue, IssueArticle
from masthead.editions.services import cover_dates_for_year, create_year_schedule

DEFAULT_ARTICLES = 320
DEFAULT_ISSUES = 48  # two years of the default schedule
SEED_SECTION = "foreign-affairs"  # the seed folder holds the old site's foreign-affairs pages
ISSUE_WINDOW_DAYS = 14  # an issue collects articles from the two weeks before its cover date
ISSUE_ARTICLES = [5, 6, 6, 7]
ADMIN_USERNAME = "admin"
ADMIN_EMAIL = "admin@example.com"
ADMIN_LOGIN_FILE = "demo-admin-password.txt"

Progress = Callable[[str], None]


@dataclass
class DemoSummary:
    """What one run of the loader did."""

    already_loaded: bool = False
    authors: int = 0
    articles: int = 0
    multi_page_articles: int = 0
    seed_articles: int = 0
    issues: int = 0
    warnings: list[str] = field(default_factory=list)


def seed_folder() -> Path | None:
    """The publisher's exported pages to import (settings.SEED_DIR), or None when none is set."""
    if settings.SEED_DIR is None:
        # Unset: the publisher's pages kept beside the repository, when they are there.
        default = Path(settings.BASE_DIR).parent / "shared" / "seed"
        return default if default.is_dir() else None
    return Path(settings.SEED_DIR) if settings.SEED_DIR else None


def recent_cover_dates(count: int, today: datetime.date) -> list[datetime.date]:
    """The `count` most recent cover dates on or before `today`, oldest first."""
    dates: list[datetime.date] = []
    year = today.year
    while len(dates) < count:
        dates = [day for day in cover_dates_for_year(year, settings.ISSUE_DAYS_OF_MONTH) if day <= today] + dates
        year -= 1
    return dates[-count:] if count else []


def publication_dates(count: int, first: datetime.date, today: datetime.date) -> list[datetime.date]:
    """Dates for articles 0..count-1, newest (today) first, spread evenly back to `first`."""
    span = (today - first).days + 1
    offsets = [index + (random.Random(f"{SEED}:date:{index}").random() if index else 0) for index in range(count)]
    return [today - datetime.timedelta(days=int(offset * span / count)) for offset in offsets]


def demo_is_loaded(drafts: list[ArticleDraft], issues: int) -> bool:
    """True when every demo article and the demo's live issues are in the database."""
    slugs = [draft.slug for draft in drafts]
    articles_present = ArticlePage.objects.filter(slug__in=slugs).count() >= len(slugs)
    return articles_present and Issue.objects.filter(live=True).count() >= issues


def save_picture(spec: PictureSpec) -> CreditedImage:
    """The generated picture, saved with its alt text and credit."""
    return create_placeholder_image(
        title=spec.title, alt_text=spec.alt_text, credit=spec.credit, seed=spec.seed, size=spec.size
    )


def ensure_authors(magazine: str) -> int:
    """The demo's writers with bios and portraits; returns how many were created or completed."""
    changed = 0
    for profile in banks.AUTHORS:
        with transaction.atomic():
            author = author_named(profile["name"])
            if author.bio and author.photo_id:
                continue
            author.bio = author.bio or typeset(profile["bio"])
            author.photo = author.photo or save_picture(author_portrait(author.name, magazine))
            author.save(update_fields=["bio", "photo"])
            changed += 1
    return changed


def import_seed(section: SectionPage) -> tuple[list[ArticlePage], list[str]]:
    """Import the seed pages not yet imported, through the importer; returns them and any warnings."""
    folder = seed_folder()
    how_to = (
        "set SEED_DIR to a folder of exported pages, or import your own with "
        "`manage.py import_articles FOLDER --section foreign-affairs`"
    )
    if folder is None:
        return [], [f"No seed folder (SEED_DIR is not set); the demo goes on without the publisher's pages: {how_to}."]
    if not folder.is_dir():
        return [], [f"No seed folder at {folder}; the demo goes on without the publisher's pages: {how_to}."]
    try:
        parsed = parse_path(folder)
    except ArticleImportError as error:
        return [], [f"Seed not imported: {error}"]
    existing = set(ArticlePage.objects.filter(slug__in=[p.slug for p in parsed]).values_list("slug", flat=True))
    new = [article for article in parsed if article.slug not in existing]
    return (import_articles(new, section) if new else []), []


def create_article(draft: ArticleDraft, section: SectionPage, date: datetime.date) -> ArticlePage:
    """One generated article with its pictures, all or nothing.

    The pictures are written inside the article's transaction: an interrupted load leaves no
    image rows behind that nothing uses (at worst a stray file in media).
    """
    with transaction.atomic():
        body = []
        for block in draft.body:
            if block["type"] == IMAGE:
                image = save_picture(block["value"]["image"])
                block = {"type": IMAGE, "value": {"image": image.pk, "caption": block["value"]["caption"]}}
            body.append(block)
        return create_or_update_article(
            section=section,
            slug=draft.slug,
            title=draft.title,
            author_names=draft.author_names,
            date=date,
            body=body,
            standfirst=draft.standfirst,
            hero_image=save_picture(draft.hero),
            hero_caption=draft.hero.caption,
            access_level=SUBSCRIBERS if draft.subscribers_only else FREE,
        )


def publish_issue(issue: Issue, articles: list[ArticlePage], magazine: str) -> None:
    """Give a scheduled issue its cover and table of contents, then publish it like an editor would."""
    label = f"{issue.cover_date:%B} {issue.cover_date.day}, {issue.cover_date.year}"
    with transaction.atomic():
        issue.cover_image = save_picture(cover_picture(label, issue.cover_date.isoformat(), magazine))
        if articles:
            issue.title = issue_theme(attach_sections(articles[:1])[0].section.slug, issue.cover_date.isoformat())
        issue.entries = [IssueArticle(article=article, sort_order=order) for order, article in enumerate(articles)]
        issue.save_revision().publish()


def publish_issues(cover_dates: list[datetime.date], magazine: str, progress: Progress) -> int:
    """Publish the scheduled issues of these cover dates, each with the unplaced articles of its fortnight."""
    for year in sorted({day.year for day in cover_dates}):
        create_year_schedule(year)
    unplaced = list(
        ArticlePage.objects.live()
        .filter(issue_entry__isnull=True, date__gte=cover_dates[0] - datetime.timedelta(days=ISSUE_WINDOW_DAYS))
        .order_by("date", "pk")
    )
    published = 0
    for cover_date in cover_dates:
        issue = Issue.objects.get(cover_date=cover_date)
        if issue.live:
            continue
        window_start = cover_date - datetime.timedelta(days=ISSUE_WINDOW_DAYS)
        candidates = [article for article in unplaced if window_start <= article.date < cover_date]
        rng = random.Random(f"{SEED}:issue:{cover_date.isoformat()}")
        chosen = rng.sample(candidates, min(len(candidates), rng.choice(ISSUE_ARTICLES)))
        # The lead story first: the longest read, then the newest.
        chosen.sort(key=lambda article: (len(article.body), article.date), reverse=True)
        publish_issue(issue, chosen, magazine)
        unplaced = [article for article in unplaced if article not in chosen]
        published += 1
        if published % 12 == 0:
            progress(f"  issues: {published} published")
    return published


def load_demo(
    *,
    articles: int = DEFAULT_ARTICLES,
    issues: int = DEFAULT_ISSUES,
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> DemoSummary:
    """Load the demo magazine unless it is already loaded; safe to run on every start."""
    progress = progress or (lambda message: None)
    today = today or timezone.localdate()
    magazine = settings.MAGAZINE_NAME
    drafts = draft_articles(articles, magazine)
    if demo_is_loaded(drafts, issues):
        return DemoSummary(already_loaded=True)

    summary = DemoSummary()
    cover_dates = recent_cover_dates(issues, today)
    first_day = (cover_dates[0] if cover_dates else today) - datetime.timedelta(days=ISSUE_WINDOW_DAYS)
    dates = publication_dates(articles, first_day, today)
    sections = {section.slug: section for section in SectionPage.objects.all()}
    summary.authors = ensure_authors(magazine)
    progress(f"Authors: {len(banks.AUTHORS)} ready")

    seeded, summary.warnings = import_seed(sections[SEED_SECTION])
    summary.seed_articles = len(seeded)
    for warning in summary.warnings:
        progress(f"Warning: {warning}")
    for article in seeded:
        progress(f"Seed article: {article.url} ({article.page_count} pages)")

    existing = set(ArticlePage.objects.filter(slug__in=[d.slug for d in drafts]).values_list("slug", flat=True))
    for number, (draft, date) in enumerate(zip(drafts, dates, strict=True), start=1):
        if draft.slug not in existing:
            create_article(draft, sections[draft.section], date)
            summary.articles += 1
            summary.multi_page_articles += draft.page_count > 1
        if number % 40 == 0 or number == len(drafts):
            progress(f"Articles: {number}/{len(drafts)}")

    if cover_dates:
        summary.issues = publish_issues(cover_dates, magazine, progress)
    progress(f"Issues: {summary.issues} published")
    return summary


def ensure_demo_admin() -> str | None:
    """The demo superuser's password, generated once and kept in DATA_DIR; None if it was changed since."""
    path = Path(settings.DATA_DIR) / ADMIN_LOGIN_FILE
    password = path.read_text().strip() if path.exists() else ""
    if not password:
        password = secrets.token_urlsafe(12)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Readable by its owner only, from the moment it exists.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
            file.write(password + "\n")
    User = get_user_model()
    user = User.objects.filter(username=ADMIN_USERNAME).first()
    if user is None:
        User.objects.create_superuser(ADMIN_USERNAME, ADMIN_EMAIL, password)
        return password
    return password if user.check_password(password) else None
