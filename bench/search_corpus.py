"""An archive of generated articles for the search benchmark, written into the database in bulk.

The words come from wordfreq's English list, drawn with their real (Zipf-like) frequencies, so a
word such as "government" is in most articles and "glacier" in a few. Each article is about three
topic words of middling frequency, which it repeats, and names one or two people with invented
surnames (the rare words, in a few dozen articles each). Everything is drawn from `random.Random`
seeded by the article's number, so two runs build the same archive.

Creating 100,000 Wagtail pages one by one through the ORM takes hours; this builds the rows
instead: tree paths computed as treebeard would, pages, articles, bylines and search texts
bulk-inserted, and the search index filled by the search backend's own `add_items` (the code
`update_index` runs) a batch at a time. Only the texts it indexes are handed to it ready-made, from
the generated words, instead of read back from each StreamField: that is where Wagtail spends
most of its time. `check_index` re-indexes a sample with Wagtail's own indexer and compares.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import itertools
import random
import uuid
from dataclasses import dataclass

SEED = "masthead-search-bench"
VOCABULARY_SIZE = 25_000
ARCHIVE_YEARS = 30
SUBSCRIBERS_ONLY_EVERY = 3  # as in the demo: every third article is for subscribers
AUTHORS = 400
SURNAMES = 4_000
TOPIC_RANKS = (800, 15_000)  # topic words are neither everyday nor obscure
TOPIC_SHARE = 0.04  # of an article's words, how many are its topic words
BATCH = 500
# Web and subtitle text rank crude words high; generated articles leave them out.
CRUDE_ROOTS = (
    "fuck", "shit", "bitch", "cunt", "nigg", "whore", "slut", "porn", "dildo", "wank", "twat", "jizz", "milf",
    "hentai", "faggot", "asshole", "retard", "horny", "boob", "pussy",
)  # fmt: skip
CRUDE_WORDS = {
    "ass", "asses", "anal", "cum", "cock", "cocks", "dick", "dicks", "fag", "tits", "rape", "raped", "rapist",
    "piss", "pissed", "sex", "sexy", "nude", "naked", "penis", "vagina", "hooker", "hoe", "hoes", "xxx",
    "damn", "crap", "douche",
}  # fmt: skip


def vocabulary() -> tuple[list[str], list[float]]:
    """English words, most frequent first, with cumulative weights for `random.choices`."""
    from wordfreq import top_n_list, word_frequency

    words = [word for word in top_n_list("en", VOCABULARY_SIZE * 2) if word.isascii() and word.isalpha()]
    words = [word for word in words if len(word) > 1 or word in ("a", "i")]
    words = [word for word in words if word not in CRUDE_WORDS and not any(root in word for root in CRUDE_ROOTS)]
    words = words[:VOCABULARY_SIZE]
    weights = list(itertools.accumulate(word_frequency(word, "en") for word in words))
    return words, weights


def invented_surnames(count: int) -> list[str]:
    """Surnames no dictionary has (Varkonen, Ostrelli…): the archive's rare words."""
    rng = random.Random(f"{SEED}:surnames")
    starts = ["Var", "Ost", "Bel", "Kor", "Mar", "Tal", "Dun", "Sev", "Hal", "Ril", "Zan", "Pet", "Lun", "Gro", "Ama"]
    middles = ["ko", "re", "li", "va", "mo", "da", "ne", "ti", "sa", "ru", "be", "lo", "ga", "mi", "zu"]
    ends = ["nen", "lli", "ski", "dottir", "ez", "ov", "berg", "sen", "ini", "as", "ard", "uk", "ova", "well", "ton"]
    names: set[str] = set()
    while len(names) < count:
        names.add(rng.choice(starts) + "".join(rng.choices(middles, k=rng.randint(1, 2))) + rng.choice(ends))
    return sorted(names)


FIRST_NAMES = [
    "Aino", "Marta", "Ivo", "Lena", "Tomas", "Sara", "Jonas", "Noor", "Pablo", "Mei", "Omar", "Clara",
    "Felix", "Ines", "Kofi", "Yara", "Hugo", "Anja", "Ravi", "Elif",
]  # fmt: skip


@dataclass
class ArticleText:
    number: int
    title: str
    standfirst: str
    paragraphs: list[str]
    date: datetime.date
    section: int
    authors: list[int]
    subscribers_only: bool


class Corpus:
    """Draws articles' text; article `n` is the same on every run."""

    def __init__(self, today: datetime.date):
        self.words, self.weights = vocabulary()
        self.surnames = invented_surnames(SURNAMES)
        self.today = today
        low, high = TOPIC_RANKS
        self.topic_words = self.words[low:high]
        # Titles and standfirsts skip the commonest words, as headlines do.
        self.headline_words = self.words[60:]
        self.headline_weights = [weight - self.weights[59] for weight in self.weights[60:]]

    def sentence(self, rng: random.Random, length: int, topics: list[str], people: list[str]) -> str:
        drawn = rng.choices(self.words, cum_weights=self.weights, k=length)
        for position in range(length):
            if rng.random() < TOPIC_SHARE:
                drawn[position] = rng.choice(topics)
        if people and rng.random() < 0.3:
            drawn[rng.randrange(length)] = rng.choice(people)
        return " ".join(drawn).capitalize() + "."

    def paragraph(self, rng: random.Random, topics: list[str], people: list[str]) -> str:
        sentences = [self.sentence(rng, rng.randint(8, 22), topics, people) for _ in range(rng.randint(3, 6))]
        return " ".join(sentences)

    def article(self, number: int) -> ArticleText:
        rng = random.Random(f"{SEED}:{number}")
        topics = rng.sample(self.topic_words, 3)
        people = [f"{rng.choice(FIRST_NAMES)} {rng.choice(self.surnames)}" for _ in range(rng.randint(1, 2))]
        surnames = [person.split()[1] for person in people]
        headline = rng.choices(self.headline_words, cum_weights=self.headline_weights, k=rng.randint(3, 7))
        headline.insert(rng.randrange(len(headline) + 1), topics[0])
        if rng.random() < 0.3:
            headline.append(surnames[0])
        standfirst = rng.choices(self.headline_words, cum_weights=self.headline_weights, k=rng.randint(14, 28))
        standfirst[rng.randrange(len(standfirst))] = f"{people[0]}'s {topics[1]}"
        paragraphs = [self.paragraph(rng, topics, surnames) for _ in range(rng.randint(6, 14))]
        paragraphs[0] = f"{people[0]} on {topics[0]}: " + paragraphs[0]
        return ArticleText(
            number=number,
            title=" ".join(headline).capitalize()[:250],
            standfirst=" ".join(standfirst).capitalize() + ".",
            paragraphs=paragraphs,
            date=self.today - datetime.timedelta(days=rng.randrange(ARCHIVE_YEARS * 365)),
            section=rng.randrange(6),
            authors=rng.sample(range(AUTHORS), rng.choice((1, 1, 1, 2))),
            subscribers_only=number % SUBSCRIBERS_ONLY_EVERY == SUBSCRIBERS_ONLY_EVERY - 1,
        )

    def author_name(self, number: int) -> str:
        rng = random.Random(f"{SEED}:author:{number}")
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(self.surnames)}"


def tree_path(parent_path: str, child_number: int) -> str:
    """The treebeard materialised path of a parent's `child_number`th child (1-based), as Wagtail writes it."""
    from wagtail.models import Page

    return parent_path + Page._int2str(child_number).rjust(Page.steplen, "0")


@dataclass
class IndexTexts:
    """What the search backend indexes of one object: (text, weight) pairs per column of its index entry."""

    pk: int
    title: list[tuple[str, str]]
    body: list[tuple[str, str]]
    autocomplete: list[tuple[str, str]]


@functools.cache  # asked twice for each of 300,000 entries; the answer never changes within a build
def field_weight(model, field_name: str) -> str:
    """PostgreSQL's weight letter for one of `model`'s search fields, by its boost; SQLite has none."""
    from django.db import connection
    from modelsearch.backends.database.postgres.weights import get_weight

    boost = next(f.boost for f in model.get_searchable_search_fields() if f.field_name == field_name)
    return get_weight(boost) if connection.vendor == "postgresql" else "D"


def article_index_texts(pk: int, text: ArticleText, byline: list[str]) -> IndexTexts:
    """ArticlePage's search fields: title, standfirst (both boosted), the body's blocks, each author's name."""
    from masthead.content.models import ArticlePage

    return IndexTexts(
        pk=pk,
        title=[(text.title, field_weight(ArticlePage, "title"))],
        body=[(text.standfirst, field_weight(ArticlePage, "standfirst")), (", ".join(text.paragraphs), "D")]
        + [(n, "D") for n in byline],
        autocomplete=[(text.title, "D")],
    )


def search_text_index_texts(pk: int, reach: str, text: ArticleText, byline: list[str]) -> IndexTexts:
    """An ArticleSearchText's search fields: title, standfirst (boosted as the article's), the body or only its
    teaser, the authors' names; its reach as the autocomplete column, which the reach's own RUM index is
    partial on (content/0008)."""
    from masthead.content.models import ArticleSearchText

    teaser_only = reach == ArticleSearchText.TEASER or text.subscribers_only
    paragraphs = text.paragraphs[:2] if teaser_only else text.paragraphs
    return IndexTexts(
        pk=pk,
        title=[(text.title, field_weight(ArticleSearchText, "title"))],
        body=[
            (text.standfirst, field_weight(ArticleSearchText, "standfirst")),
            ("\n".join(paragraphs), "D"),
            (" ".join(byline), "D"),
        ],
        autocomplete=[(reach, "D")],
    )


def ready_made_indexer(vendor: str):
    """The backend's ObjectIndexer, fed IndexTexts instead of reading a model instance."""
    if vendor == "postgresql":
        from modelsearch.backends.database.postgres import postgres as backend_module

        class ReadyMade(backend_module.ObjectIndexer):
            def __init__(self, texts: IndexTexts, backend):
                self.obj, self.search_fields = texts, []
                self.config, self.autocomplete_config = backend.config, backend.autocomplete_config

            title = property(lambda self: self.as_vector(self.obj.title))
            body = property(lambda self: self.as_vector(self.obj.body))
            autocomplete = property(lambda self: self.as_vector(self.obj.autocomplete, for_autocomplete=True))
            title_text = property(lambda self: " ".join(t.strip() for t, _ in self.obj.title if t.strip()))
            body_text = property(lambda self: " ".join(t.strip() for t, _ in self.obj.body if t.strip()))

    else:
        from modelsearch.backends.database.sqlite import sqlite as backend_module

        class ReadyMade(backend_module.ObjectIndexer):
            def __init__(self, texts: IndexTexts, backend):
                self.obj, self.search_fields, self.config = texts, [], backend.config

            title = property(lambda self: " ".join(t for t, _ in self.obj.title))
            body = property(lambda self: " ".join(t for t, _ in self.obj.body))
            autocomplete = property(lambda self: " ".join(t for t, _ in self.obj.autocomplete))

    return backend_module, ReadyMade


def add_ready_made(index, model, texts: list[IndexTexts]) -> None:
    """`index.add_items(model, ...)` with the texts given: the backend's own INSERT, title norms and all."""
    from unittest import mock

    from django.db import connection

    backend_module, ready_made = ready_made_indexer(connection.vendor)
    with mock.patch.object(backend_module, "ObjectIndexer", ready_made):
        index.add_items(model, texts)


def build_archive(count: int, progress=print) -> None:
    """Write `count` published articles under the sections, with bylines, search texts and index entries."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from wagtail.models import Locale, Page
    from wagtail.search.backends import get_search_backend

    from masthead.content.models import FREE, SUBSCRIBERS, ArticleAuthor, ArticlePage, ArticleSearchText, Author
    from masthead.content.services import body_from_pages

    corpus = Corpus(datetime.date.today())
    sections = list(Page.objects.filter(depth=3).order_by("path").specific())[:6]
    children = {section.pk: section.numchild for section in sections}
    names = [f"{corpus.author_name(n)} {n}" for n in range(AUTHORS)]
    authors = Author.objects.bulk_create([Author(name=name, slug=f"bench-author-{n}") for n, name in enumerate(names)])
    article_type = ContentType.objects.get_for_model(ArticlePage)
    locale = Locale.get_default()
    index = get_search_backend().get_index_for_model(ArticlePage)
    article_fields = ArticlePage._meta.local_concrete_fields
    with text_indexes_built_afterwards():
        for start in range(0, count, BATCH):
            with transaction.atomic():
                texts = [corpus.article(number) for number in range(start, min(start + BATCH, count))]
                articles = []
                for text in texts:
                    section = sections[text.section]
                    children[section.pk] += 1
                    slug = f"article-{text.number}"
                    published = datetime.datetime.combine(text.date, datetime.time(9), tzinfo=datetime.UTC)
                    published += datetime.timedelta(minutes=text.number % 600)
                    articles.append(
                        ArticlePage(
                            title=text.title,
                            draft_title=text.title,
                            slug=slug,
                            content_type=article_type,
                            locale=locale,
                            translation_key=uuid.UUID(int=text.number + 1),
                            path=tree_path(section.path, children[section.pk]),
                            depth=section.depth + 1,
                            numchild=0,
                            url_path=f"{section.url_path}{slug}/",
                            live=True,
                            has_unpublished_changes=False,
                            first_published_at=published,
                            last_published_at=published,
                            standfirst=text.standfirst,
                            date=text.date,
                            body=body_from_pages([text.paragraphs]),
                            access_level=SUBSCRIBERS if text.subscribers_only else FREE,
                            teaser_paragraphs=2,
                        )
                    )
                pages = Page.objects.bulk_create(
                    [Page(**{f.attname: getattr(a, f.attname) for f in Page._meta.concrete_fields}) for a in articles]
                )
                for article, page in zip(articles, pages, strict=True):
                    article.pk = article.page_ptr_id = article.id = page.pk
                ArticlePage.objects._insert(articles, fields=article_fields, using="default")
                ArticleAuthor.objects.bulk_create(
                    ArticleAuthor(article_id=article.pk, author=authors[number], sort_order=position)
                    for article, text in zip(articles, texts, strict=True)
                    for position, number in enumerate(text.authors)
                )
                search_texts = ArticleSearchText.objects.bulk_create(
                    ArticleSearchText(article_id=article.pk, reach=reach)
                    for article in articles
                    for reach in (ArticleSearchText.TEASER, ArticleSearchText.OPEN)
                )
                bylines = [[names[n] for n in text.authors] for text in texts]
                by_article = {a.pk: (text, byline) for a, text, byline in zip(articles, texts, bylines, strict=True)}
                add_ready_made(index, ArticlePage, [article_index_texts(pk, *by_article[pk]) for pk in by_article])
                add_ready_made(
                    index,
                    ArticleSearchText,
                    [search_text_index_texts(st.pk, st.reach, *by_article[st.article_id]) for st in search_texts],
                )
            progress(min(start + BATCH, count))
    for section in sections:
        Page.objects.filter(pk=section.pk).update(numchild=children[section.pk])


@contextlib.contextmanager
def text_indexes_built_afterwards():
    """PostgreSQL: drop the index entries' GIN and RUM indexes while the archive is written, then build
    each once. Kept up to date row by row, they made PostgreSQL the build's bottleneck (20,000 articles
    were on course for over half an hour at load 4)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'wagtailsearch_indexentry' "
            "AND (indexdef LIKE '%% USING gin %%' OR indexdef LIKE '%% USING rum %%')"
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)


def check_index(sample: int = 20) -> list[str]:
    """Re-index a sample with Wagtail's own indexer, inside a transaction rolled back; the entries that differ."""
    from django.db import connection, transaction
    from wagtail.search.backends import get_search_backend
    from wagtail.search.models import IndexEntry

    from masthead.content.models import ArticlePage, ArticleSearchText

    columns = ["title", "body", "autocomplete"] + (
        ["title_text", "body_text"] if connection.vendor == "postgresql" else []
    )
    index = get_search_backend().get_index_for_model(ArticlePage)
    articles = list(ArticlePage.get_indexed_objects().order_by("?")[:sample])
    search_texts = list(ArticleSearchText.get_indexed_objects().filter(article__in=articles))
    differences = []

    def entries():
        rows = IndexEntry.objects.filter(object_id__in=[str(o.pk) for o in articles + search_texts])
        return {
            (row["content_type_id"], row["object_id"]): row
            for row in rows.values("content_type_id", "object_id", *columns)
        }

    ours = entries()
    with transaction.atomic():
        index.add_items(ArticlePage, articles)
        index.add_items(ArticleSearchText, search_texts)
        wagtails = entries()
        transaction.set_rollback(True)
    for key, row in wagtails.items():
        for column in columns:
            mine, wagtails_own = str(ours.get(key, {}).get(column)), str(row[column])
            if mine != wagtails_own:
                differences.append(f"{key} {column}: ours {mine[:200]!r}, Wagtail's {wagtails_own[:200]!r}")
    return differences
