"""Archive search: a forgiving form, ranked full-text results, filters, highlighted snippets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from masthead.access.paywall import paywall_settings, public_text
from masthead.content.models import ArticlePage, Author, SectionPage
from masthead.content.queries import attach_sections, published_articles

MAX_TERMS = 12
SNIPPET_CHARS = 240


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


@dataclass
class SearchResults:
    terms: list[str]
    hits: object  # a sliceable, countable sequence of ArticlePage, ranked
    broadened: bool = False

    @property
    def query(self) -> str:
        return " ".join(self.terms)


def search_articles(criteria: dict) -> SearchResults | None:
    """Ranked live articles for cleaned SearchForm data; None when the query has no words."""
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
    hits = articles.search(query, operator="and")
    if len(terms) > 1 and hits.count() == 0:
        # No article has every word: rank those having any of them, and say so.
        return SearchResults(terms=terms, hits=articles.search(query, operator="or"), broadened=True)
    return SearchResults(terms=terms, hits=hits)


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


def with_snippets(articles, terms: list[str]) -> list[ArticlePage]:
    """Attach sections and highlighted snippets to one page of results."""
    articles = attach_sections(articles)
    settings = paywall_settings()
    for article in articles:
        article.snippet = highlighted_snippet(public_text(article, settings), terms)
    return articles
