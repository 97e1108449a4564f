"""A WordPress post's content as the HTML html_body reads: shortcodes and embeds as WordPress showed them.

WordPress keeps a post as it was written and turns it into HTML each time a page is shown: classic posts
carry shortcodes (`[caption]`, `[gallery]`, `[embed]`, `[video]`, and plugins' own) and addresses alone on a
line (shown as the page they name, oEmbed); block-editor posts wrap each block in `<!-- wp:… -->`, an embed
block holding only its address. We do that once, here: pictures come from the export's attachments; embeds,
audio and video become links to their address; forms and playlists are left out; each is counted for the
report. A shortcode we do not know (its plugin is not here) loses its brackets, keeps its words, and is named
in the report with its post. Nothing here is trusted: every value is escaped, and html_body cleans the whole.
"""

from __future__ import annotations

import bisect
import html
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from django.utils.html import escape

from masthead.moving.html_body import MAX_DEPTH

NEXTPAGE = re.compile(r"<!--\s*nextpage\s*-->", re.IGNORECASE)
OPENING = re.compile(r"\[([a-zA-Z][\w-]*)((?:\s[^\[\]]*)?)\]")
CLOSING = re.compile(r"\[/([a-zA-Z][\w-]*)\]")
ATTRIBUTE = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"']+))""")
# The block editor's embed block, old (core-embed/youtube) and new (embed): the comments open and close it.
EMBED_BLOCK = re.compile(r"<!--\s*(/?)wp:(?:core-)?embed(?:/[\w-]+)?(\s+\{.*?\})?\s*(/?)-->", re.DOTALL)
ALONE_ON_A_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.MULTILINE)  # WordPress's autoembed
# Hosts WordPress shows as embedded players or posts (WP_oEmbed's providers); other addresses stay words.
OEMBED_HOSTS = (
    "youtube.com", "youtu.be", "vimeo.com", "dailymotion.com", "twitter.com", "x.com", "instagram.com",
    "facebook.com", "soundcloud.com", "spotify.com", "mixcloud.com", "flickr.com", "tiktok.com", "ted.com",
    "wordpress.tv", "slideshare.net", "scribd.com", "reddit.com", "tumblr.com", "imgur.com", "issuu.com",
    "kickstarter.com", "pinterest.com", "bsky.app", "mastodon.social", "videopress.com",
)  # fmt: skip
FORMS = {
    "contact-form-7", "contact-form", "wpforms", "gravityform", "gravityforms", "mc4wp_form", "ninja_form",
    "ninja_forms", "formidable", "caldera_form", "fluentform", "mailpoet_form", "newsletter",
}  # fmt: skip
VIDEO_SOURCES = ("src", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mov")
AUDIO_SOURCES = ("src", "mp3", "m4a", "ogg", "wav", "wma", "flac")


@dataclass(frozen=True)
class Attachment:
    """A picture the export lists as an attachment item: its address, alt text and caption (its excerpt)."""

    url: str
    alt: str = ""
    caption: str = ""
    parent: str = ""  # the post it was uploaded to: `[gallery]` without ids shows those
    order: int = 0


@dataclass
class WordPressBody:
    """A post's web pages as HTML for html_body, and what the report should say about them."""

    pages_html: list[str]
    left_out: Counter = field(default_factory=Counter)  # embeds kept as links, forms left out, by kind
    unknown_shortcodes: Counter = field(default_factory=Counter)

    def problems_to_name(self) -> list[str]:
        """What the report names the post for: shortcodes we do not know."""
        return [
            f"has {number} × a shortcode [{name}] that we do not read; its words were kept"
            for name, number in sorted(self.unknown_shortcodes.items())
        ]


def post_body(content: str, *, post_id: str, attachments: dict[str, Attachment]) -> WordPressBody:
    """The post's content, shortcodes and embeds read, split into web pages at `<!--nextpage-->`."""
    reader = ShortcodeReader(post_id, attachments)
    content = reader.embed_blocks(content)
    content = reader.shortcodes(content, depth=0)
    content = ALONE_ON_A_LINE.sub(reader.address_alone, content)
    return WordPressBody(NEXTPAGE.split(content), reader.left_out, reader.unknown)


class ShortcodeReader:
    def __init__(self, post_id: str, attachments: dict[str, Attachment]):
        self.post_id = post_id
        self.attachments = attachments
        self.left_out: Counter = Counter()
        self.unknown: Counter = Counter()

    def shortcodes(self, text: str, depth: int) -> str:
        """Each shortcode replaced by its HTML, enclosing ones with what they enclose (read again, for nesting)."""
        if "[" not in text:
            return text
        closers: dict[str, list[int]] = defaultdict(list)
        for match in CLOSING.finditer(text):
            closers[match.group(1)].append(match.start())
        out, position = [], 0
        while match := OPENING.search(text, position):
            name, attributes = match.group(1), match.group(2).strip()
            inner, end = None, match.end()
            starts = closers.get(name, [])
            if (at := bisect.bisect_left(starts, match.end())) < len(starts):
                inner, end = text[match.end() : starts[at]], starts[at] + len(name) + 3
            if not (name in KNOWN or attributes or inner is not None):
                out.append(text[position : match.end()])  # "[sic]", "[1]": words in brackets, not a shortcode
                position = match.end()
                continue
            out.append(text[position : match.start()])
            if inner is not None and depth < MAX_DEPTH:
                inner = self.shortcodes(inner, depth + 1)
            out.append(self.shortcode(name, parsed_attributes(attributes), inner or ""))
            position = end
        out.append(text[position:])
        return "".join(out)

    def shortcode(self, name: str, attributes: dict[str, str], inner: str) -> str:
        if name == "caption":
            return caption_figure(inner)
        if name == "gallery":
            return self.gallery(attributes)
        if name == "embed":
            return self.kept_as_link("embed", inner.strip(), "")
        if name in ("video", "audio"):
            url = first(attributes, VIDEO_SOURCES if name == "video" else AUDIO_SOURCES)
            return self.kept_as_link(name, url, file_name(url))  # named as html_body names a <video>'s link
        if name == "playlist":
            self.left_out["playlist"] += 1
            return ""
        if name in FORMS:
            self.left_out["form"] += 1
            return ""
        self.unknown[name] += 1
        return inner

    def gallery(self, attributes: dict[str, str]) -> str:
        """`[gallery ids="3,4"]`, or without ids the pictures uploaded to the post, in their order."""
        ids = [part.strip() for part in attributes.get("ids", "").split(",") if part.strip()]
        if ids:
            pictures = [self.attachments[key] for key in ids if key in self.attachments]
        else:
            pictures = sorted(
                (a for a in self.attachments.values() if a.parent == self.post_id), key=lambda a: (a.order, a.url)
            )
        return "".join(figure(picture.url, picture.alt, picture.caption) for picture in pictures)

    def embed_blocks(self, text: str) -> str:
        """The block editor's embed blocks as links to what they embedded, with their caption as the words."""
        if "embed" not in text:
            return text
        out, position, opened = [], 0, None
        for match in EMBED_BLOCK.finditer(text):
            closing, self_closing = match.group(1), match.group(3)
            if not closing and not self_closing:
                opened = match
            elif closing and opened is not None:
                out.append(text[position : opened.start()])
                out.append(self.embed_block(opened.group(2), text[opened.end() : match.start()]))
                position, opened = match.end(), None
        out.append(text[position:])
        return "".join(out)

    def embed_block(self, settings: str | None, inner: str) -> str:
        try:
            url = json.loads(settings or "{}").get("url", "")
        except (ValueError, AttributeError):
            url = ""
        caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", inner, re.DOTALL | re.IGNORECASE)
        words = " ".join(re.sub(r"<[^>]+>", " ", html.unescape(caption.group(1))).split()) if caption else ""
        if not isinstance(url, str) or not url:
            url = (ALONE_ON_A_LINE.search(re.sub(r"<[^>]+>", "\n", inner)) or [""])[0].strip()
        return self.kept_as_link("embed", url, words)

    def address_alone(self, match: re.Match) -> str:
        """An address alone on a line: WordPress showed its page embedded if it is an oEmbed host's, else the words."""
        url = match.group(1)
        host = (urlparse(url).hostname or "").lower()
        if any(host == known or host.endswith("." + known) for known in OEMBED_HOSTS):
            return self.kept_as_link("embed", url, "")
        return match.group(0)

    def kept_as_link(self, kind: str, url: str, words: str) -> str:
        self.left_out[f"{kind} kept as a link"] += 1
        url = html.unescape(url.strip())
        if not url.startswith(("http://", "https://", "/")):
            return f"<p>{escape(words)}</p>" if words else ""
        return f'<p><a href="{escape(url)}">{escape(words or url)}</a></p>'


KNOWN = {"caption", "gallery", "embed", "video", "audio", "playlist", *FORMS}


def parsed_attributes(text: str) -> dict[str, str]:
    text = html.unescape(text).replace("\u201c", '"').replace("\u201d", '"')  # the visual editor's curly quotes
    return {m.group(1).lower(): next(v for v in m.groups()[1:] if v is not None) for m in ATTRIBUTE.finditer(text)}


def first(attributes: dict[str, str], names: tuple[str, ...]) -> str:
    return next((attributes[name] for name in names if attributes.get(name)), "")


def file_name(url: str) -> str:
    return unquote(urlparse(url).path.rstrip("/").rsplit("/", 1)[-1])


def caption_figure(inner: str) -> str:
    """[caption]<img …> Words[/caption] -> <figure><img …><figcaption>Words</figcaption></figure>."""
    end = inner.rfind(">") + 1
    return f"<figure>{inner[:end]}<figcaption>{inner[end:].strip()}</figcaption></figure>"


def figure(src: str, alt: str, caption: str) -> str:
    caption_html = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{escape(src)}" alt="{escape(alt)}">{caption_html}</figure>'
