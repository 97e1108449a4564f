"""Archive search: a forgiving form, ranked full-text results, filters, highlighted snippets.

A reader matches only words they may read: a search must not tell which words are in gated text.
Readers entitled to subscriber articles search every word (the article's own index entry); others
search an `ArticleSearchText` of each article, what the paywall shows them (docs/paywall.md).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from types import SimpleNamespace

from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from masthead.access.entitlements import request_entitlements
from masthead.access.paywall import article_is_gated, paywall_settings, public_text
from masthead.content.models import FREE, ArticlePage, ArticleSearchText, Author, SectionPage
from masthead.content.queries import attach_sections, published_articles

MAX_TERMS = 12
SNIPPET_CHARS = 240
EVERY_WORD = "every word"  # the reach of an entitled reader's search: the article's own index entry


class SearchForm(forms.Form):
    q = forms.CharField(label="Search the archive", max_length=500, required=False)
    section = forms.ChoiceField(required=False)
    author = forms.ModelChoiceField(
        queryset=Author.objects.all(), to_field_name="slug", required=False, empty_label="Any author"
    )
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, sections: list[SectionPage], **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = {section.slug: section for section in sections}
        self.fields["section"].choices = [("", "Any section")] + [(s.slug, s.title) for s in sections]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError("The “from” date must come before the “to” date.")
        cleaned["section_page"] = self.sections.get(cleaned.get("section") or "")
        cleaned["terms"] = query_terms(cleaned.get("q", ""))
        return cleaned


def query_terms(query: str) -> list[str]:
    """The words of a query; punctuation and operators are dropped so no input can break the engine."""
    return re.findall(r"\w+", query.lower())[:MAX_TERMS]


def search_reach(request) -> str:
    """Which words of each article this reader's search may match: every word, `open` or `teaser`.

    Entitled to subscriber articles (subscribers, editors): every word. Otherwise what the paywall
    shows them: a free article's every word, a gated one's teaser; and only teasers while the archive
    rule is on, as any free article may then be gated by its age (docs/paywall.md, "Search").
    """
    if request_entitlements(request).digital:
        return EVERY_WORD
    oldest_free_article = SimpleNamespace(access_level=FREE, date=datetime.date.min)
    if article_is_gated(oldest_free_article, paywall_settings(request), timezone.localdate()):
        return ArticleSearchText.TEASER
    return ArticleSearchText.OPEN


class ArticleHits:
    """Ranked hits on articles' search texts, read as the articles: countable and sliceable for a Paginator."""

    def __init__(self, texts):
        self.texts = texts

    def count(self) -> int:
        return self.texts.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list[ArticlePage]:
        article_ids = [text.article_id for text in self.texts[page]]
        articles = published_articles().in_bulk(article_ids)
        return [articles[article_id] for article_id in article_ids if article_id in articles]


@dataclass
class SearchResults:
    terms: list[str]
    hits: object  # a sliceable, countable sequence of ArticlePage, ranked
    broadened: bool = False

    @property
    def query(self) -> str:
        return " ".join(self.terms)


def search_articles(criteria: dict, *, reach: str) -> SearchResults | None:
    """Ranked live articles for cleaned SearchForm data, matching the words `reach` allows; None without words."""
    terms = criteria["terms"]
    if not terms:
        return None
    articles = published_articles().order_by()  # relevance orders the results
    if criteria.get("section_page"):
        articles = articles.descendant_of(criteria["section_page"])
    if criteria.get("author"):
        articles = articles.filter(id__in=list(criteria["author"].article_links.values_list("article_id", flat=True)))
    if criteria.get("date_from"):
        articles = articles.filter(date__gte=criteria["date_from"])
    if criteria.get("date_to"):
        articles = articles.filter(date__lte=criteria["date_to"])
    query = " ".join(terms)
    if reach == EVERY_WORD:
        searched, as_articles = articles, lambda hits: hits
    else:
        searched = ArticleSearchText.objects.filter(reach=reach, article__in=articles.values("pk"))
        as_articles = ArticleHits
    hits = searched.search(query, operator="and")
    if len(terms) > 1 and hits.count() == 0:
        # No article has every word: rank those having any of them, and say so.
        hits = searched.search(query, operator="or")
        return SearchResults(terms=terms, hits=as_articles(hits), broadened=True)
    return SearchResults(terms=terms, hits=as_articles(hits))


def highlighted_snippet(text: str, terms: list[str]) -> SafeString:
    """A passage of `text` around the first matching word, HTML-escaped, with matches in <mark>."""
    if not terms:
        return mark_safe(escape(text[:SNIPPET_CHARS]))  # noqa: S308 (escaped just now)
    pattern = re.compile(r"\b(" + "|".join(re.escape(term) for term in terms) + r")\w*", re.IGNORECASE)
    match = pattern.search(text)
    start = 0
    if match and match.start() > SNIPPET_CHARS // 3:
        start = text.rfind(" ", 0, match.start() - SNIPPET_CHARS // 3) + 1
    end = text.find(" ", start + SNIPPET_CHARS)
    end = len(text) if end == -1 else end
    passage = text[start:end]
    marked = pattern.sub(lambda m: f"\x00{m.group(0)}\x01", passage)
    html = escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>")
    # Safe: the passage was escaped; only our own <mark> tags are added after.
    return mark_safe(("… " if start else "") + html + (" …" if end < len(text) else ""))  # noqa: S308


def with_snippets(articles, terms: list[str], *, reach: str, request) -> list[ArticlePage]:
    """Attach sections and highlighted snippets to one page of results; only `EVERY_WORD` quotes gated text."""
    articles = attach_sections(articles)
    if reach == EVERY_WORD:
        for article in articles:
            article.snippet = highlighted_snippet(f"{article.standfirst}\n{article.body_text()}", terms)
        return articles
    paywall = paywall_settings(request)
    for article in articles:
        article.snippet = highlighted_snippet(public_text(article, paywall), terms)
    return articles
