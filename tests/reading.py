"""Read a response the way a reader does: the words on the page, its links, its head links."""

from __future__ import annotations

import copy

from bs4 import BeautifulSoup

from tests.seed import SEED_PAGE_3_SENTENCE

# Elements a browser lays out on their own line (or as separate controls): words never run across them.
SEPARATE_ELEMENTS = [
    *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset", "figcaption"),
    *("figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "input", "label"),
    *("legend", "li", "main", "nav", "ol", "option", "p", "section", "select", "table", "td", "th", "tr", "ul"),
]


def parsed(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def words(element) -> str:
    """An element's visible text with whitespace collapsed, as a reader would read it."""
    element = copy.copy(element)
    for separate in element.find_all(SEPARATE_ELEMENTS):
        separate.insert_before(" ")
        separate.insert_after(" ")
    return " ".join(element.get_text().split())


def main_text(response) -> str:
    """The words in the page's <main> landmark."""
    return words(parsed(response).select_one("main"))


def head_link(response, rel: str) -> str | None:
    """The href of <link rel="…"> in the page's head, or None when there is none."""
    link = parsed(response).select_one(f'head link[rel="{rel}"]')
    return link["href"] if link else None


def link_targets(element, text: str) -> list[str]:
    """The hrefs of the links in `element` whose visible text is `text`."""
    return [link["href"] for link in element.select("a[href]") if words(link) == text]


def headlines(response, selector: str = "main article.card h3") -> list[str]:
    """The article headlines a list page shows, in order."""
    return [words(heading) for heading in parsed(response).select(selector)]


def reads_the_whole_seed_article(response) -> bool:
    """Whether the page shows the seed article's last web page too (a subscriber's view of a gated one)."""
    assert response.status_code == 200
    return SEED_PAGE_3_SENTENCE in main_text(response)
