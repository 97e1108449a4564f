"""Reading a Ghost site's JSON export (Settings → Import/Export; Ghost 4, 5 and 6).

The file is `{"db": [{"meta": {...}, "data": {"posts": [...], "users": [...], "tags": [...],
"posts_authors": [...], "posts_tags": [...], "posts_meta": [...]}}]}` (or the inner object alone).
Ghost writes every column of those tables (ghost/core/core/server/data/exporter/table-lists.js): a post
carries the `html` Ghost rendered when it was saved, and its `lexical` (Ghost 5, 6) or `mobiledoc`
(Ghost 4); one without `html` (Ghost JSON from Ghost's migration tools) is read from those
(ghost_cards). Ghost 4 exports also name a post's first author in `posts.author_id`. The feature image's
alt text and caption live in `posts_meta` (on the post itself in older exports). Visibility `public` is
free; `members`, `paid` and `tiers` are for subscribers unless the publisher says members-only posts are free (a
post for Ghost's free tier only is a members-only post). Tiers and offers are reported by ghost_tiers.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import defaultdict
from pathlib import Path

from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags

from masthead.content.models import FREE, SUBSCRIBERS
from masthead.moving.ghost_cards import post_body
from masthead.moving.report import RecordProblem, Where
from masthead.moving.site import OldArticle, OldAuthor, OldSection

ID_KEY = re.compile(r'"id"\s*:\s*"([^"\\]{1,100})"')
PUBLISHED_STATUSES = {"published"}
DRAFT_STATUSES = {"draft", "scheduled", "sent"}  # "sent": emailed only, never on the site


class GhostExportError(Exception):
    """The file is not a Ghost export we can read; says where."""


class GhostExport:
    """The parts of a Ghost export an import needs, with each record's line in the file."""

    def __init__(self, path: Path, *, section_tags: dict[str, str] | None = None, default_section: str = "",
                 members_are_subscribers: bool = True, post_path: str = "/{slug}/",
                 site_url: str = ""):  # fmt: skip
        self.path = path
        self.site_url = site_url
        text = read_text(path)
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise GhostExportError(f"{path}:{error.lineno}: not JSON ({error.msg})") from None
        self.lines = id_lines(text)
        data, meta = export_data(document, path)
        self.version = str(meta.get("version", ""))
        self.section_tags = section_tags or {}
        self.default_section = default_section
        self.members_are_subscribers = members_are_subscribers
        self.post_path = post_path
        self.users = {row["id"]: row for row in table(data, "users") if "id" in row}
        self.tags = {row["id"]: row for row in table(data, "tags") if "id" in row}
        self.posts = [row for row in table(data, "posts")]
        self.meta = {row.get("post_id"): row for row in table(data, "posts_meta")}
        self.post_authors = links(table(data, "posts_authors"), "author_id")
        self.post_tags = links(table(data, "posts_tags"), "tag_id")
        # Ghost 5 and 6: tiers (the table is still called products), the tiers a post is for, and offers.
        self.tiers = {row["id"]: row for row in table(data, "products") if isinstance(row.get("id"), str)}
        self.post_tiers = links(table(data, "posts_products"), "product_id")
        self.offers = table(data, "offers")
        self.offer_redemptions = table(data, "offer_redemptions")

    def where(self, kind: str, row: dict) -> Where:
        return Where(f"{kind} {row.get('id', '?')} “{row.get('title') or row.get('name') or ''}”",
                     self.lines.get(str(row.get("id", ""))))  # fmt: skip

    def authors(self) -> list[OldAuthor]:
        return [
            OldAuthor(
                key=user_id,
                name=(row.get("name") or row.get("slug") or "").strip(),
                bio=row.get("bio") or "",
                photo=row.get("profile_image") or "",
                old_path=f"/author/{row['slug']}/" if row.get("slug") else "",
                where=self.where("author", row),
            )
            for user_id, row in self.users.items()
        ]

    def sections(self) -> list[OldSection]:
        sections = []
        for tag_id, row in self.tags.items():
            slug = row.get("slug") or ""
            ours = self.section_tags.get(slug, slug) if self.section_tags else slug
            sections.append(
                OldSection(
                    key=tag_id,
                    name=row.get("name") or slug,
                    slug=ours,
                    description=row.get("description") or "",
                    old_path=f"/tag/{slug}/" if slug else "",
                    where=self.where("tag", row),
                )
            )
        if self.default_section:
            sections.append(OldSection(key="", name=self.default_section, slug=self.default_section))
        return sections

    def is_section_tag(self, tag: dict) -> bool:
        if tag.get("visibility") == "internal" or (tag.get("name") or "").startswith("#"):
            return False
        return not self.section_tags or tag.get("slug") in self.section_tags

    def articles(self):
        """Each post as (where, OldArticle or RecordProblem), in the file's order; pages are left out."""
        for row in self.posts:
            where = self.where("post", row)
            try:
                yield where, self.article(row, where)
            except RecordProblem as problem:
                yield where, problem

    def article(self, row: dict, where: Where) -> OldArticle | None:
        if row.get("type", "post") != "post" or row.get("page") in (1, True):
            return None  # a Ghost page (About, Contact) is not an article
        status = row.get("status")
        if status not in PUBLISHED_STATUSES | DRAFT_STATUSES:
            raise RecordProblem(f"has the status {status!r}; expected published, draft, scheduled or sent")
        title = (row.get("title") or "").strip()
        if not title:
            raise RecordProblem("has no title")
        when = ghost_time(row.get("published_at")) or ghost_time(row.get("created_at"))
        if when is None:
            raise RecordProblem(f"has no date we can read (published_at {row.get('published_at')!r})")
        body = post_body(row, site_url=self.site_url)
        visibility = row.get("visibility") or "public"
        if visibility not in ("public", "members", "paid", "tiers"):
            raise RecordProblem(f"has the visibility {visibility!r}; expected public, members, paid or tiers")
        if visibility == "tiers" and self.for_free_tier_only(row):
            visibility = "members"  # Ghost's free tier is its signed-in members
        free = visibility == "public" or (visibility == "members" and not self.members_are_subscribers)
        post_id = row["id"]
        tag_ids = [tag_id for tag_id in self.post_tags.get(post_id, []) if tag_id in self.tags]
        section_key = next((t for t in tag_ids if self.is_section_tag(self.tags[t])), None)
        if section_key is None:
            if not self.default_section:
                raise RecordProblem("has no tag that is a section; name one with --default-section")
            section_key = ""
        author_keys = self.post_authors.get(post_id) or ([row["author_id"]] if row.get("author_id") else [])
        meta = self.meta.get(post_id, {})
        caption = meta.get("feature_image_caption") or row.get("feature_image_caption") or ""
        primary_tag = self.tags[tag_ids[0]].get("slug", "") if tag_ids else ""
        return OldArticle(
            key=post_id,
            where=where,
            title=title,
            slug=row.get("slug") or "",
            published_at=when,
            published=status in PUBLISHED_STATUSES,
            section_key=section_key,
            author_keys=author_keys,
            pages_html=[body.html],
            access_level=FREE if free else SUBSCRIBERS,
            preview_above_marker=True,  # Ghost shows outsiders a gated post's body above its paywall card only
            standfirst=row.get("custom_excerpt") or "",
            feature_image=row.get("feature_image") or "",
            feature_image_alt=meta.get("feature_image_alt") or row.get("feature_image_alt") or "",
            feature_image_credit=" ".join(strip_tags(caption).split()),
            old_path=old_post_path(self.post_path, row, when, primary_tag),
            notes=body.notes(),
            left_out=body.left_out,
            problems=body.problems_to_name(),
        )

    def for_free_tier_only(self, row: dict) -> bool:
        """A post for tiers that names only Ghost's free tier (posts_products), which the export describes."""
        tier_ids = self.post_tiers.get(row["id"], []) if isinstance(row.get("id"), str) else []
        tiers = [self.tiers.get(tier_id) for tier_id in tier_ids]
        return bool(tiers) and all(tier is not None and tier.get("type") == "free" for tier in tiers)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        raise GhostExportError(f"{path}:{line}: the file is not UTF-8 text") from None


def export_data(document, path: Path) -> tuple[dict, dict]:
    """The `data` and `meta` of an export, whether wrapped in "db" (a download) or not."""
    if isinstance(document, dict) and isinstance(document.get("db"), list) and document["db"]:
        document = document["db"][0]
    if not (isinstance(document, dict) and isinstance(document.get("data"), dict)):
        raise GhostExportError(f'{path}:1: not a Ghost export (no "db"[0]."data" with posts)')
    if not isinstance(document["data"].get("posts"), list):
        raise GhostExportError(f"{path}:1: the export has no list of posts")
    return document["data"], document.get("meta") or {}


def table(data: dict, name: str) -> list[dict]:
    rows = data.get(name) or []
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def links(rows: list[dict], other: str) -> dict[str, list[str]]:
    """post id -> the linked ids, in their sort order."""
    by_post: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        if row.get("post_id") and isinstance(row["post_id"], str) and isinstance(row.get(other), str) and row[other]:
            order = row.get("sort_order")
            by_post[row["post_id"]].append((order if isinstance(order, int) else 0, row[other]))
    return {post: [linked for _, linked in sorted(pairs)] for post, pairs in by_post.items()}


def id_lines(text: str) -> dict[str, int]:
    """Each record id's first line in the file, so problems can name it."""
    lines: dict[str, int] = {}
    line, position = 1, 0
    for match in ID_KEY.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        lines.setdefault(match.group(1), line)
    return lines


def ghost_time(value) -> datetime.datetime | None:
    """Ghost 5's "2023-01-05T10:00:00.000Z", or older exports' milliseconds since 1970."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return datetime.datetime.fromtimestamp(value / 1000, tz=datetime.UTC)
    try:
        parsed = parse_datetime(str(value).replace(" ", "T"))
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def old_post_path(template: str, row: dict, when: datetime.datetime, primary_tag: str) -> str:
    """The post's address on the old site, from Ghost's permalink setting (routes.yaml), e.g. /{slug}/."""
    if row.get("status") != "published" or not row.get("slug"):
        return ""
    values = {
        "slug": row["slug"],
        "id": row.get("id", ""),
        "year": f"{when:%Y}",
        "month": f"{when:%m}",
        "day": f"{when:%d}",
        "primary_tag": primary_tag,
    }
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        raise RecordProblem(f"the post path {template!r} uses a name Ghost does not have") from None
