"""One page of ranked search hits, read from Wagtail's search index in one query (docs/search.md).

Wagtail's `queryset.search()` joins each article to its index entry through a cast of the
article's key, so the database reads the whole archive to answer one word, then ranks every match
before it can return the first twenty, by relevance alone. Here the query starts from the index
entries that hold the words, in order of relevance (PostgreSQL: the RUM index of content/0006; SQLite:
FTS5's bm25), keeps those whose article the reader may find (checked row by row, not by listing the
archive), and stops after the page: relevance first, the newest article first among equals.

Counting every match of a common word costs as much as ranking them all, so a search counts only
a few pages past the one asked for, on the read of that page; beyond, the page says "more than".
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import CombinedExpression, RawSQL
from django.db.models.functions import Cast

from masthead.content.models import ARTICLES_PER_LIST_PAGE

MOST_COUNTED = 1000  # the most a search counts, however far the reader pages
PAGES_COUNTED_AHEAD = 4  # how many pages past the asked one a search counts: "more than 100 results" on page 1


@dataclass(frozen=True)
class Words:
    """What a reader asked for: loose words (all, or with `any_word` at least one) and quoted phrases."""

    loose: tuple[str, ...]
    phrases: tuple[str, ...] = ()
    any_word: bool = False

    @property
    def every_word(self) -> list[str]:
        """The loose words, then each phrase's words: what the snippets highlight."""
        return [*self.loose, *(word for phrase in self.phrases for word in phrase.split())]


class Distance(Func):
    """RUM's `<=>`: how far a document is from a query, 0 for the most relevant; read from the index's order."""

    arg_joiner = " <=> "
    template = "(%(expressions)s)"
    output_field = FloatField()


def postgres_query(words: Words):
    """A tsquery of the words: all of them (or any), and each phrase as a phrase."""
    from django.contrib.postgres.search import SearchQuery

    # Without a config, as Wagtail indexes: the server's default_text_search_config stems both sides alike.
    parts = [SearchQuery(word) for word in words.loose] if words.any_word else []
    if words.loose and not words.any_word:
        parts.append(SearchQuery(" ".join(words.loose)))
    parts += [SearchQuery(phrase, search_type="phrase") for phrase in words.phrases]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined | part if words.any_word else combined & part
    return combined


def sqlite_match(words: Words) -> str:
    """An FTS5 query over the title and body columns; words are \\w+ only, so quoting them is enough."""
    terms = [f'"{word}"' for word in words.loose] + [f'"{phrase}"' for phrase in words.phrases]
    return "{title body} : (" + (" OR " if words.any_word else " AND ").join(terms) + ")"


def salient_first(words: Words) -> bool:
    """Whether a search may rank the entries where its word is salient first (PostgreSQL, content/0009):
    one word of letters only, which the text search parser keeps as one lexeme (or none, a stop word).

    RUM ranks a one-lexeme query by that word's occurrences alone (ts_rank's sum, default weights,
    no length normalisation): an occurrence weighted above D scores at least 0.2/1.645, four D ones
    0.1 * (1 + 1/4 + 1/9 + 1/16) / 1.645, and three or fewer D ones at most 0.1 * (1 + 1/4 + 1/9) / 1.645.
    So every entry where the word is salient (weighted above D, or four times or more) ranks above
    every entry where it is not, and the first matches are all salient ones.
    """
    return (
        connection.vendor == "postgresql"
        and len(words.loose) == 1
        and not words.phrases
        and not words.any_word
        and words.loose[0].isalpha()
    )


def matching_entries(words: Words, model, *, reach: str | None = None, salient: bool = False) -> QuerySet:
    """`model`'s index entries holding the words, annotated with `distance` (lower is more relevant) and `key`;
    for ArticleSearchText, only the entries of `reach`. `salient` (PostgreSQL, see `salient_first`): only
    the entries where the word is salient, read from content/0009's smaller indexes."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.postgres.search import SearchVectorField
    from wagtail.search import models as search_models

    content_type = ContentType.objects.get_for_model(model)
    if connection.vendor == "postgresql":
        if salient:
            document = RawSQL('"wagtailsearch_indexentry"."masthead_salient"', [], output_field=SearchVectorField())
        else:
            document = CombinedExpression(F("title"), "||", F("body"))  # the expression content/0006 indexes
        query = postgres_query(words)
        entries = search_models.IndexEntry.objects.filter(content_type=content_type)
        if reach is not None:
            # The condition of that reach's own RUM index (content/0008), written as it is there, so the
            # planner picks it: an ArticleSearchText's entry carries its reach in its autocomplete column.
            entries = entries.filter(RawSQL("autocomplete @@ %s::tsquery", [reach], output_field=BooleanField()))
        entries = entries.annotate(document=document).filter(document=query)
        return entries.annotate(distance=Distance(F("document"), query), key=Cast("object_id", BigIntegerField()))
    # The FTS table by its own name: MATCH and bm25() name the table, not an alias. Column weights
    # follow the table's order (autocomplete, body, title): a word in the title counts double.
    entries = search_models.SQLiteFTSIndexEntry.objects.filter(index_entry__content_type=content_type)
    match = RawSQL("wagtailsearch_indexentry_fts MATCH %s", [sqlite_match(words)], output_field=BooleanField())
    entries = entries.filter(match)
    return entries.annotate(
        distance=RawSQL("bm25(wagtailsearch_indexentry_fts, 0, 1, 2)", [], output_field=FloatField()),
        key=Cast("index_entry__object_id", BigIntegerField()),
    )


def indexed_text(model, key) -> Subquery:
    """The text Wagtail indexed as the body of `model`'s object whose primary key is `key` (an expression):
    its searched fields but the title, tags already stripped, exactly what a search of that entry matched."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search import models as search_models

    content_type = ContentType.objects.get_for_model(model)
    object_id = Cast(key, CharField())  # the entry's key is text: cast ours, so its unique index is used
    if connection.vendor == "postgresql":
        entries = search_models.IndexEntry.objects.filter(content_type=content_type, object_id=object_id)
        return Subquery(entries.values("body_text")[:1])
    entries = search_models.SQLiteFTSIndexEntry.objects.filter(
        index_entry__content_type=content_type, index_entry__object_id=object_id
    )
    return Subquery(entries.values("body")[:1])


class RankedHits:
    """Articles matching the words, ranked; countable (a few pages ahead of the one asked for, at most
    MOST_COUNTED) and sliceable, for a Paginator.

    `reach` is the ArticleSearchText reach searched (readers without a subscription), or None to
    search the articles' own entries, every word. `articles` holds the articles the reader may find;
    `cards` (by default the same) loads a page's articles, with what their cards show. `page` is the
    page the reader asks for: the hits are read, in order, up to it, and counted on the same read up
    to PAGES_COUNTED_AHEAD pages past it ("more than" beyond), so the reader can always page on.
    """

    def __init__(
        self,
        words: Words,
        articles: QuerySet,
        *,
        reach: str | None = None,
        cards: QuerySet | None = None,
        page: int = 1,
    ):
        from masthead.content.models import ArticlePage, ArticleSearchText

        self.articles = articles
        self.cards = articles if cards is None else cards

        def findable_entries(salient: bool) -> QuerySet:
            if reach is None:
                entries = matching_entries(words, ArticlePage, salient=salient).annotate(article_id=F("key"))
            else:
                entries = matching_entries(words, ArticleSearchText, reach=reach, salient=salient)
                # The reach asked of the row as well: an entry whose reach is wrong or missing finds nothing.
                texts = ArticleSearchText.objects.filter(pk=OuterRef("key"), reach=reach)
                entries = entries.annotate(article_id=Subquery(texts.values("article_id")))
            findable = articles.order_by().filter(pk=OuterRef("article_id"))
            return entries.filter(Exists(findable))

        self.entries = findable_entries(salient=False)
        self.salient_entries = findable_entries(salient=True) if salient_first(words) else None
        page = min(max(page, 1), -(-MOST_COUNTED // ARTICLES_PER_LIST_PAGE))
        self.most_counted = min(MOST_COUNTED, (page + PAGES_COUNTED_AHEAD) * ARTICLES_PER_LIST_PAGE)
        self.read_to = page * ARTICLES_PER_LIST_PAGE + 1  # the asked page and one more
        self._read: list[int] | None = None  # the first `read_to` article ids, in order
        self._count: int | None = None  # how many hits, up to `most_counted` and one (or more)

    def count(self) -> int:
        """How many hits, up to `most_counted`: counted on the read of the page, no query of its own."""
        self.read_ids()
        return min(self._count, self.most_counted)

    @property
    def more_than_counted(self) -> bool:
        self.read_ids()
        return self._count > self.most_counted

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> list:
        start, stop = page.start or 0, page.stop
        article_ids = self.read_ids()
        if stop > len(article_ids) >= self.read_to:  # past what was read (only if asked for another page)
            article_ids, _ = self.ranked_ids(stop)
        article_ids = article_ids[start:stop]
        articles = self.cards.in_bulk(article_ids)
        return [articles[article_id] for article_id in article_ids if article_id in articles]

    def read_ids(self) -> list[int]:
        """The article ids up to the asked page and one more; counts the hits on the same read."""
        if self._read is None:
            self._read, self._count = self.ranked_ids(self.read_to, count_up_to=self.most_counted + 1)
        return self._read

    def ranked_ids(self, stop: int, *, count_up_to: int = 0) -> tuple[list[int], int]:
        """The first `stop` article ids in order, and how many hits were read: every hit there is, or at
        least `count_up_to`."""
        if connection.vendor == "postgresql":
            return self.ranked_by_index(stop, count_up_to=count_up_to)
        article_ids = list(self.ranked_in_sql().values_list("article_id", flat=True)[: max(stop, count_up_to)])
        return article_ids[:stop], len(article_ids)

    def ranked_in_sql(self) -> QuerySet:
        """SQLite: every match ranked and ordered in one statement."""
        from masthead.content.models import ArticlePage

        newest = ArticlePage.objects.order_by().filter(pk=OuterRef("article_id"))
        entries = self.entries.annotate(
            date=Subquery(newest.values("date")), published=Subquery(newest.values("first_published_at"))
        )
        return entries.order_by("distance", F("date").desc(), F("published").desc(), F("article_id").desc())

    def ranked_by_index(self, stop: int, *, count_up_to: int = 0) -> tuple[list[int], int]:
        """PostgreSQL: the first `stop` article ids, read from the RUM index in order of distance alone,
        and how many rows were read: on to `count_up_to` if there are that many, which counts them.

        The index knows no dates, so articles as relevant as the page's last one may come after it:
        read on until the distance changes, then put each group of equals newest first.
        """
        enough = max(stop, count_up_to)
        if self.salient_entries is not None:
            # Enough rows where the word is salient: every other match ranks below them (`salient_first`).
            rows = self.read_by_distance(self.salient_entries, stop, enough)
            if len(rows) >= enough:
                return self.newest_first_among_equals(rows, stop)
        return self.newest_first_among_equals(self.read_by_distance(self.entries, stop, enough), stop)

    @staticmethod
    def read_by_distance(entries: QuerySet, stop: int, enough: int) -> list[tuple]:
        """The entries' rows in order of distance, `enough` of them (all there are, if fewer), and on past
        them while the distance stays that of row `stop`."""
        from masthead.content.models import ArticlePage

        newest = ArticlePage.objects.order_by().filter(pk=OuterRef("article_id"))
        # Each row carries its article's dates, looked up only for the rows read: no second query for them.
        by_distance = (
            entries.annotate(
                date=Subquery(newest.values("date")), published=Subquery(newest.values("first_published_at"))
            )
            .order_by("distance")
            .values_list("article_id", "distance", "date", "published")
        )
        rows = []
        # One pass on a server-side cursor (inside a transaction, so not materialised WITH HOLD): rows
        # stream in order until the page's last distance is passed. A cursor is also planned for its
        # first rows, so PostgreSQL reads the RUM index in order; with a LIMIT past a few dozen rows,
        # misled by RUM's low row estimates (300 for 1,600 matches), it would rather compute every
        # match's distance from the table and sort them (35 ms instead of 3 at 20,000 articles).
        # The count goes on along the same cursor, a few pages ahead: rows read in the index's order
        # cost about 38 us each, so 1,000 of them cost more (38 ms at 100,000 articles) than a count of
        # its own on a bitmap of the index (15 ms), and 100 of them much less.
        in_order = by_distance.iterator(chunk_size=enough + 1)
        with transaction.atomic(savepoint=False), contextlib.closing(in_order):
            for row in in_order:
                if len(rows) >= enough and row[1] != rows[stop - 1][1]:
                    break
                rows.append(row)
        return rows

    @staticmethod
    def newest_first_among_equals(rows: list[tuple], stop: int) -> tuple[list[int], int]:
        """The first `stop` article ids of rows read by distance, each group of equals newest first; and how
        many rows were read."""
        rows = sorted(
            rows, key=lambda row: (row[1], -row[2].toordinal(), -(row[3].timestamp() if row[3] else 0.0), -row[0])
        )
        return [row[0] for row in rows[:stop]], len(rows)
