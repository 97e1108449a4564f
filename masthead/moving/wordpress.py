"""Reading a WordPress WXR export (Tools → Export → All content; WXR 1.1 and 1.2).

An RSS file with WordPress's own elements: `wp:author` (login, display name), `wp:category`
(nicename, name, parent), and one `item` per post, page or attachment (`wp:post_type`), the body in
`content:encoded`, the excerpt in `excerpt:encoded`, the featured image as the `_thumbnail_id` post
meta naming an attachment item (whose excerpt is its caption). `<!--nextpage-->` splits a post into
web pages. Co-Authors Plus adds a post's bylines as `<category domain="author">` terms naming a
login, and its guest authors (writers without an account) as items of type `guest-author` with
`cap-…` post meta. The file is parsed without a DTD, entities or the network.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from urllib.parse import urlparse

from lxml import etree

from masthead.content.models import FREE, SUBSCRIBERS
from masthead.moving.report import RecordProblem, Where
from masthead.moving.site import OldArticle, OldAuthor, OldSection
from masthead.moving.wordpress_body import Attachment, post_body

WP_NAMESPACES = (
    "http://wordpress.org/export/1.2/",
    "http://wordpress.org/export/1.1/",
    "http://wordpress.org/export/1.0/",
)
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
EXCERPTS = ("{http://wordpress.org/export/1.2/excerpt/}encoded", "{http://wordpress.org/export/1.1/excerpt/}encoded")
PUBLISHED, DRAFTS = {"publish"}, {"draft", "pending", "private", "future"}


class WordPressExportError(Exception):
    """The file is not a WXR export we can read; says where."""


class WxrExport:
    def __init__(self, path: Path, *, section_categories: dict[str, str] | None = None, default_section: str = "",
                 subscriber_categories: set[str] | None = None):  # fmt: skip
        self.path = path
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
        )
        try:
            tree = etree.parse(str(path), parser)
        except etree.XMLSyntaxError as error:
            raise WordPressExportError(f"{path}:{error.lineno}: not XML ({error.msg})") from None
        except OSError as error:
            raise WordPressExportError(f"{path}: cannot read it ({error})") from None
        if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
            raise WordPressExportError(f"{path}:1: a WXR file has no DOCTYPE; refusing one that does")
        channel = tree.getroot().find("channel")
        if channel is None:
            raise WordPressExportError(f"{path}:1: not an RSS file (no <channel>)")
        self.wp = next((ns for ns in WP_NAMESPACES if channel.find(f"{{{ns}}}wxr_version") is not None), None)
        if self.wp is None:
            raise WordPressExportError(f"{path}:1: not a WordPress export (no <wp:wxr_version>)")
        self.channel = channel
        self.section_categories = section_categories or {}
        self.default_section = default_section
        self.subscriber_categories = subscriber_categories or set()
        self.site_url = self.text(channel, "base_site_url") or (channel.findtext("link") or "")
        self.items = channel.findall("item")
        self.category_slugs = {
            self.text(element, "category_nicename") for element in channel.findall(f"{{{self.wp}}}category")
        }
        self.attachments = {
            self.text(item, "post_id"): item for item in self.items if self.text(item, "post_type") == "attachment"
        }
        self.pictures = {key: self.attachment(item) for key, item in self.attachments.items()}
        self.author_logins = {author.key for author in self.authors()}
        # Co-Authors Plus bylines naming a login the export has no author for: login -> posts.
        self.unknown_coauthors: dict[str, int] = {}

    def text(self, element, name: str) -> str:
        return (element.findtext(f"{{{self.wp}}}{name}") or "").strip()

    def meta(self, item, key: str) -> str:
        for postmeta in item.findall(f"{{{self.wp}}}postmeta"):
            if self.text(postmeta, "meta_key") == key:
                return self.text(postmeta, "meta_value")
        return ""

    def attachment(self, item) -> Attachment:
        caption = next((item.findtext(name) for name in EXCERPTS if item.find(name) is not None), "") or ""
        order = self.text(item, "menu_order")
        return Attachment(
            url=self.text(item, "attachment_url"),
            alt=self.meta(item, "_wp_attachment_image_alt"),
            caption=" ".join(caption.split()),
            parent=self.text(item, "post_parent"),
            order=int(order) if order.isdecimal() and len(order) < 10 else 0,
        )

    def authors(self) -> list[OldAuthor]:
        authors = []
        for element in self.channel.findall(f"{{{self.wp}}}author"):
            login = self.text(element, "author_login")
            name = self.text(element, "author_display_name") or login
            authors.append(
                OldAuthor(
                    key=login,
                    name=name,
                    old_path=f"/author/{login}/" if login else "",
                    where=Where(f"author {login}", element.sourceline),
                )  # fmt: skip
            )
        by_login = {author.key: author for author in authors}
        for item in self.items:
            if self.text(item, "post_type") == "guest-author":
                guest = self.guest_author(item)
                # A guest author linked to an account is that account's public profile (name and bio).
                by_login[guest.key] = guest
        return [author for author in by_login.values() if author.key]

    def comment_counts(self) -> tuple[int, int]:
        """The approved comments on posts (pingbacks and spam aside), and on how many posts: they are not imported."""
        comments, posts = 0, 0
        for item in self.items:
            if self.text(item, "post_type") != "post":
                continue
            approved = sum(
                1
                for comment in item.findall(f"{{{self.wp}}}comment")
                if self.text(comment, "comment_approved") == "1"
                and self.text(comment, "comment_type") in ("", "comment")
            )
            comments, posts = comments + approved, posts + (1 if approved else 0)
        return comments, posts

    def guest_author(self, item) -> OldAuthor:
        """A Co-Authors Plus guest author: a byline's writer who had no account on the old site."""
        login = self.meta(item, "cap-user_login") or self.text(item, "post_name").removeprefix("cap-")
        key = self.meta(item, "cap-linked_account") or login
        return OldAuthor(
            key=key,
            name=self.meta(item, "cap-display_name") or (item.findtext("title") or "").strip() or login,
            bio=self.meta(item, "cap-description"),
            old_path=f"/author/{login}/" if login else "",
            where=Where(f"guest author {login}", item.sourceline),
        )

    def bylines(self, item, creator: str) -> list[str]:
        """The post's authors: its Co-Authors Plus terms if it has any (its own author first), else dc:creator."""
        logins = []
        for term in item.findall("category"):
            if term.get("domain") != "author":
                continue
            login = (term.text or "").strip() or term.get("nicename", "").removeprefix("cap-")
            if login in self.author_logins:
                logins.append(login)
            elif login:
                self.unknown_coauthors[login] = self.unknown_coauthors.get(login, 0) + 1
        if not logins:
            return [creator]
        # WordPress exports terms by name, not in byline order; Co-Authors Plus makes the first its post author.
        if creator in logins:
            logins.insert(0, logins.pop(logins.index(creator)))
        return list(dict.fromkeys(logins))

    def sections(self) -> list[OldSection]:
        categories = {}
        for element in self.channel.findall(f"{{{self.wp}}}category"):
            nicename = self.text(element, "category_nicename")
            categories[nicename] = (self.text(element, "cat_name") or nicename, self.text(element, "category_parent"),
                                    self.text(element, "category_description"), element.sourceline)  # fmt: skip
        sections = []
        for nicename, (name, _, description, line) in categories.items():
            trail, parent, seen = [nicename], categories[nicename][1], {nicename}
            while parent and parent in categories and parent not in seen:  # /category/parent/child/
                trail.insert(0, parent)
                seen.add(parent)
                parent = categories[parent][1]
            ours = self.section_categories.get(nicename, nicename) if self.section_categories else nicename
            sections.append(OldSection(key=nicename, name=name, slug=ours, description=description,
                                       old_path=f"/category/{'/'.join(trail)}/",
                                       where=Where(f"category {nicename}", line)))  # fmt: skip
        if self.default_section:
            sections.append(OldSection(key="", name=self.default_section, slug=self.default_section))
        return sections

    def articles(self):
        for item in self.items:
            where = Where(f"item {self.text(item, 'post_id')} “{(item.findtext('title') or '').strip()}”",
                          item.sourceline)  # fmt: skip
            try:
                yield where, self.article(item, where)
            except RecordProblem as problem:
                yield where, problem

    def article(self, item, where: Where) -> OldArticle | None:
        if self.text(item, "post_type") != "post":
            return None  # pages, attachments, menu items and the like are not articles
        status = self.text(item, "status")
        if status == "trash":
            return None
        if status not in PUBLISHED | DRAFTS:
            raise RecordProblem(f"has the status {status!r}")
        title = (item.findtext("title") or "").strip()
        if not title:
            raise RecordProblem("has no title")
        when = wp_time(self.text(item, "post_date_gmt")) or wp_time(self.text(item, "post_date"))
        if when is None:
            raise RecordProblem(f"has no date we can read ({self.text(item, 'post_date')!r})")
        creator = (item.findtext(DC_CREATOR) or "").strip()
        if not creator:
            raise RecordProblem("has no author (dc:creator)")
        categories = [c.get("nicename", "") for c in item.findall("category") if c.get("domain") == "category"]
        known = [c for c in categories if c in self.category_slugs]
        section = next((c for c in known if not self.section_categories or c in self.section_categories), None)
        if section is None or (section == "uncategorized" and not self.section_categories and self.default_section):
            if not self.default_section:
                raise RecordProblem("is in no category that is a section; name one with --default-section")
            section = ""
        body = post_body(item.findtext(CONTENT) or "", post_id=self.text(item, "post_id"), attachments=self.pictures)
        excerpt = next((item.findtext(name) for name in EXCERPTS if item.find(name) is not None), "") or ""
        image_url, image_alt, image_caption = "", "", ""
        thumbnail = self.attachments.get(self.meta(item, "_thumbnail_id"))
        if thumbnail is not None:
            image_url = self.text(thumbnail, "attachment_url")
            image_alt = self.meta(thumbnail, "_wp_attachment_image_alt")
            image_caption = next((thumbnail.findtext(n) for n in EXCERPTS if thumbnail.find(n) is not None), "") or ""
        published = status in PUBLISHED
        link = (item.findtext("link") or "").strip()
        old_path = urlparse(link).path if published and link and "?" not in link else ""
        return OldArticle(
            key=self.text(item, "post_id") or link,
            where=where,
            title=title,
            slug=self.text(item, "post_name"),
            published_at=when,
            published=published,
            section_key=section,
            author_keys=self.bylines(item, creator),
            pages_html=body.pages_html,
            access_level=SUBSCRIBERS if set(categories) & self.subscriber_categories else FREE,
            standfirst=excerpt,
            feature_image=image_url,
            feature_image_alt=image_alt,
            feature_image_credit=" ".join(image_caption.split()),
            old_path=old_path,
            left_out=body.left_out,
            problems=body.problems_to_name(),
        )


def wp_time(value: str) -> datetime.datetime | None:
    """WordPress's "2023-01-02 10:00:00" (GMT when from post_date_gmt; drafts have zeros there)."""
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=datetime.UTC)
    except ValueError:
        return None
