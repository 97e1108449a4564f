"""Archive search: a forgiving form, ranked full-text results, filters, highlighted snippets.

Words in quotes ("energy minister") must appear together, in that order. Results are ranked by
relevance, the newest first among equals (`search_ranking`, docs/search.md).

A reader matches only words they may read: a search must not tell which words are in gated text.
Readers entitled to subscriber articles search every word (the article's own index entry); others
search an `ArticleSearchText` of each article, what the paywall shows them (docs/paywall.md).
"""

from __future__ import annotations

import datetime
import html
import re
from dataclasses import dataclass
from itertools import chain
from types import SimpleNamespace

from django import forms
from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from masthead.access.entitlements import request_entitlements
from masthead.access.paywall import article_is_gated, paywall_settings, public_text_parts
from masthead.content.models import FREE, ArticlePage, ArticleSearchText, Author, SectionPage
from masthead.content.queries import attach_sections, published_articles
from masthead.content.search_ranking import RankedHits, Words, indexed_text

MAX_TERMS = 12
# What a result's card reads of its article (content/includes/article_card.html, `with_snippets`); an
# article has some thirty more columns, Wagtail's, which loading twenty times cost about a millisecond.
CARD_FIELDS = ("title", "url_path", "path", "date", "standfirst", "access_level")
SNIPPET_CHARS = 240
EVERY_WORD = "every word"  # the reach of an entitled reader's search: the article's own index entry


class QuickSelect(forms.Select):
    """A <select> written in one pass: Django renders each option through a template, about half a
    millisecond each, and an archive's author list has hundreds (even format_html costs a millisecond a
    hundred: the options are escaped and joined as plain strings)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        # The standard library's escape, which Django's wraps (the same five characters) at a third of the cost.
        options = "".join(
            f'<option value="{html.escape(str(option))}"{" selected" if str(option) in chosen else ""}>'
            f"{html.escape(str(label))}</option>"
            for option, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return mark_safe(f"<select{attributes}>{options}</select>")  # noqa: S308 (every part escaped above)


class SearchForm(forms.Form):
    q = forms.CharField(label="Search the archive", max_length=500, required=False)
    section = forms.ChoiceField(required=False, widget=QuickSelect)
    author = forms.ModelChoiceField(
        queryset=Author.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Any author",
        widget=QuickSelect,
    )
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # The results page asked for (the pagination's links carry it; the form does not show it): how far
    # the search reads and counts. Anything else than a number is the first page, as the paginator has it.
    page = forms.CharField(required=False)

    def __init__(self, *args, sections: list[SectionPage], **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = {section.slug: section for section in sections}
        self.fields["section"].choices = [("", "Any section")] + [(s.slug, s.title) for s in sections]
        # Slugs and names, not Author objects: the form checks a chosen slug with one query of its own.
        author = self.fields["author"]
        author.widget.choices = [("", author.empty_label), *author_options()]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError("The “from” date must come before the “to” date.")
        cleaned["section_page"] = self.sections.get(cleaned.get("section") or "")
        cleaned["words"] = query_words(cleaned.get("q", ""))
        cleaned["terms"] = cleaned["words"].every_word
        page = cleaned.get("page") or ""
        cleaned["page"] = int(page) if page.isascii() and page.isdigit() and len(page) < 6 else 1
        return cleaned


AUTHOR_OPTIONS = "search:author-options"
AUTHOR_OPTIONS_KEPT = 600  # seconds: a safety net; every save or delete of an author forgets the list


def author_options() -> list[tuple[str, str]]:
    """Every author's slug and name for the search form's filter, kept in the default cache (hundreds of
    them: a query and a list of tuples each search otherwise), forgotten whenever an author changes."""
    options = cache.get(AUTHOR_OPTIONS)
    if options is None:
        options = list(Author.objects.values_list("slug", "name"))
        cache.set(AUTHOR_OPTIONS, options, AUTHOR_OPTIONS_KEPT)
    return options


def forget_author_options(**kwargs) -> None:
    """An author was saved or deleted (connected by ContentConfig.ready, in every process): once that is
    committed, so that a search meanwhile cannot keep the old list for AUTHOR_OPTIONS_KEPT."""
    transaction.on_commit(lambda: cache.delete(AUTHOR_OPTIONS))


QUOTES = '"“”„'


def query_words(query: str) -> Words:
    """The words of a query, those in quotes kept as phrases; punctuation and operators are dropped so no
    input can break the engine."""
    loose: list[str] = []
    phrases: list[str] = []
    room = MAX_TERMS
    for position, part in enumerate(re.split(f"[{QUOTES}]", query.lower())):
        words = re.findall(r"\w+", part)[:room]
        room -= len(words)
        if position % 2 and len(words) > 1:  # between an opening quote and its closing one (or the end)
            phrases.append(" ".join(words))
        else:
            loose += [word for word in words if word not in loose]
    return Words(loose=tuple(loose), phrases=tuple(dict.fromkeys(phrases)))


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


WORDS_APART = "apart"  # no article had the phrases: these have all their words, anywhere
SOME_WORDS = "some"  # no article had every word: these have some of them


@dataclass
class SearchResults:
    terms: list[str]
    hits: RankedHits
    words: Words
    broadened: str = ""  # "", WORDS_APART or SOME_WORDS: what the page says it searched instead

    @property
    def query(self) -> str:
        """The query as searched: the loose words, then each phrase in quotes."""
        return " ".join([*self.words.loose, *(f'"{phrase}"' for phrase in self.words.phrases)])

    @property
    def broadening_note(self) -> str:
        """What the page says it searched instead, true of the results shown; "" if it searched the query."""
        if self.broadened == SOME_WORDS:
            return "no article has all of those words, so these have some of them"
        if self.broadened != WORDS_APART:
            return ""
        if len(set(self.words.every_word)) == 1:  # "Bora Bora"
            return "no article has that as written, so these have the word"
        if self.words.loose or len(self.words.phrases) > 1:  # an article may have one part as written
            return "no article has all of that as written, so these have every word, in any order"
        return "no article has the quoted words together, so these have them apart"


def broader_searches(words: Words) -> list[tuple[str, Words]]:
    """What to search, in turn, when no article matches the query: a phrase's words apart (every word,
    anywhere, as a search engine does with a quoted phrase it cannot find), then any of the words.

    The words apart also cost less than any of them at worst: the index ranks every entry holding all the
    words, where for any of them it ranks most of the archive (bench/search.py --phrase-reads)."""
    every_word = tuple(dict.fromkeys(words.every_word))
    broader = [(WORDS_APART, Words(loose=every_word))] if words.phrases else []  # "Bora Bora": the word once
    if len(every_word) > 1:
        broader.append((SOME_WORDS, Words(loose=every_word, any_word=True)))
    return broader


def search_articles(criteria: dict, *, reach: str) -> SearchResults | None:
    """Ranked live articles for cleaned SearchForm data, matching the words `reach` allows; None without words."""
    terms, words = criteria["terms"], criteria["words"]
    if not terms:
        return None
    articles = published_articles().select_related(None)  # a result's card shows no picture
    if criteria.get("section_page"):
        articles = articles.descendant_of(criteria["section_page"])
    if criteria.get("author"):
        articles = articles.filter(article_authors__author=criteria["author"])
    if criteria.get("date_from"):
        articles = articles.filter(date__gte=criteria["date_from"])
    if criteria.get("date_to"):
        articles = articles.filter(date__lte=criteria["date_to"])
    text_reach = None if reach == EVERY_WORD else reach  # which ArticleSearchText, if not every word
    cards = with_indexed_texts(articles.only(*CARD_FIELDS), reach=reach)
    page = criteria.get("page", 1)
    hits = RankedHits(words, articles, reach=text_reach, cards=cards, page=page)
    if hits.count() == 0:
        for broadened, broader_words in broader_searches(words):
            broader = RankedHits(broader_words, articles, reach=text_reach, cards=cards, page=page)
            if broader.count():
                return SearchResults(terms=terms, hits=broader, words=words, broadened=broadened)
    return SearchResults(terms=terms, hits=hits, words=words)


def with_indexed_texts(cards: QuerySet[ArticlePage], *, reach: str) -> QuerySet[ArticlePage]:
    """The page's articles with the texts their snippets may quote, as the search index holds them (one
    query for the page, no article's StreamField read): for `EVERY_WORD` the article's own entry
    (`indexed_whole`); otherwise both search texts (`indexed_open`, `indexed_teaser`), of which
    `with_snippets` quotes the one the paywall allows today."""
    if reach == EVERY_WORD:
        return cards.annotate(indexed_whole=indexed_text(ArticlePage, OuterRef("pk")))

    def search_text(reach: str) -> Subquery:
        text = ArticleSearchText.objects.filter(article=OuterRef(OuterRef("pk")), reach=reach).values("pk")[:1]
        return indexed_text(ArticleSearchText, Subquery(text))

    return cards.annotate(
        indexed_open=search_text(ArticleSearchText.OPEN), indexed_teaser=search_text(ArticleSearchText.TEASER)
    )


def term_pattern(terms: list[str]) -> re.Pattern:
    """The words as a snippet marks them: each at a word's start, with whatever ending follows."""
    return re.compile(r"\b(" + "|".join(re.escape(term) for term in terms) + r")\w*", re.IGNORECASE)


def highlighted_snippet(text: str, terms: list[str], *, more: bool = False) -> SafeString:
    """A passage of `text` around the first matching word, HTML-escaped, with matches in <mark>; `more`
    when `text` is the start of a longer one."""
    if not terms:
        return mark_safe(escape(text[:SNIPPET_CHARS]))  # noqa: S308 (escaped just now)
    pattern = term_pattern(terms)
    match = pattern.search(text)
    start = 0
    if match and match.start() > SNIPPET_CHARS // 3:
        start = text.rfind(" ", 0, match.start() - SNIPPET_CHARS // 3) + 1
    end = text.find(" ", start + SNIPPET_CHARS)
    end = len(text) if end == -1 else end
    passage = text[start:end]
    marked = pattern.sub(lambda m: f"\x00{m.group(0)}\x01", passage)
    shown = escape(marked).replace("\x00", "<mark>").replace("\x01", "</mark>")
    # Safe: the passage was escaped; only our own <mark> tags are added after.
    return mark_safe(("… " if start else "") + shown + (" …" if more or end < len(text) else ""))  # noqa: S308


# Wagtail joins a StreamField's blocks with ", ": after a block's closing full stop, that comma is its.
BLOCK_JOIN = re.compile(r"(?<=[.!?])([\"”’]?), ")


def quotable_text(article: ArticlePage, *, reach: str, paywall) -> str | None:
    """The indexed text a snippet of `article` may quote to a reader of `reach`, from where a reader reads:
    the standfirst, then the body. None when the index holds no text for it (yet).

    Without a subscription, the paywall's choice today, as `public_text` makes it: the `open` text
    (every word of a free article) when the article is not gated now, else the `teaser` one. So an
    entry not yet re-indexed after an article was gated quotes its former teaser, which anyone could
    read, never its former free text.
    """
    if reach == EVERY_WORD:
        text = article.indexed_whole
    elif article_is_gated(article, paywall, timezone.localdate()):
        text = article.indexed_teaser
    else:
        text = article.indexed_open
    if not text:
        return None
    names = " ".join(author.name for author in article.byline_authors)
    if reach != EVERY_WORD and names and text.startswith(article.byline_names + "\n"):
        text = text.partition("\n")[2]  # a search text indexed before 2026-12-04 night began with the byline
    elif names and (text == names or text.endswith(" " + names)):  # the bylines, indexed last in every entry
        text = text[: -len(names) - 1]
    return BLOCK_JOIN.sub(r"\1 ", text)


def with_snippets(articles, terms: list[str], *, reach: str, request, sections=None) -> list[ArticlePage]:
    """Attach sections (`live_sections()`, read here unless given) and highlighted snippets to one page of
    results; only `EVERY_WORD` quotes gated text. The articles come from `search_articles`, with the
    texts the index holds for them (`with_indexed_texts`)."""
    if not articles:
        return []
    articles = attach_sections(articles, sections)
    paywall = None if reach == EVERY_WORD else paywall_settings(request)
    for article in articles:
        text = quotable_text(article, reach=reach, paywall=paywall)
        if text is None:  # not indexed yet: from the article itself, as the paywall shows it
            if paywall is None:
                text = "\n".join(chain([article.standfirst], article.body_text_parts()))
            else:
                text = "\n".join(public_text_parts(article, paywall))
        article.snippet = highlighted_snippet(text, terms)
    return articles
