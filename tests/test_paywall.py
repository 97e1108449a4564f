"""Nobody without access reads a subscriber-only article's gated text, on any surface.

To add a surface: append (name, function returning the URL for the article) to SURFACES. Each
surface is fetched by every persona without access, with bot user agents and search-engine
referrers too, and must not contain the sentence from page 3; a subscriber must get it where the
surface carries full text.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from masthead.access.models import PaywallSettings
from masthead.core.page_cache import clear_page_cache
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.services import do_refund_under_guarantee
from tests.personas import logged_in_client, subscribe
from tests.seed import SEED_PAGE_3_NAME, SEED_PAGE_3_SENTENCE

PAGE_3_SENTENCE = SEED_PAGE_3_SENTENCE
TEASER_SENTENCE = "Deputy Energy Minister Aino Virtanen visited Oslo"
GOOD_CARD = CardInput(number="4242424242424242", exp_month=12, exp_year=2035, cvc="123")

SURFACES = [
    ("page 1", lambda article: article.url),
    ("page 2", lambda article: article.url + "2/"),
    ("page 3", lambda article: article.url + "3/"),
    ("single page", lambda article: article.url + "all/"),
    ("rss", lambda article: "/feed/"),
    ("atom", lambda article: "/feed/atom/"),
    ("json api list", lambda article: "/api/articles/"),
    ("json api detail", lambda article: f"/api/articles/{article.pk}/"),
    ("search", lambda article: f"/search/?q={SEED_PAGE_3_NAME}"),
    ("sitemap", lambda article: "/sitemap.xml"),
    ("issue page", lambda article: issue_page_of(article)),
    ("podcast feed", lambda article: "/audio/feed.xml"),  # the audio files' gating: tests/audio/test_audio_files.py
]
FULL_TEXT_SURFACES = {"page 3", "single page", "json api detail"}
SNEAKY_HEADERS = [
    {},
    {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
    {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; bingbot/2.0)"},
    {"HTTP_REFERER": "https://www.google.com/search?q=nordic+grid"},
    {"HTTP_X_FORWARDED_FOR": "66.249.66.1", "HTTP_FROM": "googlebot(at)googlebot.com"},
]


@pytest.fixture(params=["anonymous", "reader", "lapsed", "refunded"])
def outsider_client(request, reader, lapsed_subscriber, refunded_subscriber) -> Client:
    users = {"anonymous": None, "reader": reader, "lapsed": lapsed_subscriber, "refunded": refunded_subscriber}
    user = users[request.param]
    return Client() if user is None else logged_in_client(user)


@pytest.mark.parametrize("surface_name, url_for", SURFACES, ids=[name for name, _ in SURFACES])
def test_readers_without_access_never_receive_the_gated_sentence(gated_article, outsider_client, surface_name, url_for):
    for headers in SNEAKY_HEADERS:
        response = outsider_client.get(url_for(gated_article), **headers)
        assert response.status_code == 200, (surface_name, headers)
        assert PAGE_3_SENTENCE not in response.content.decode(), (surface_name, headers)


@pytest.mark.parametrize("surface_name, url_for", SURFACES, ids=[name for name, _ in SURFACES])
def test_a_subscriber_reads_everything_the_surface_carries(gated_article, subscriber, surface_name, url_for):
    response = logged_in_client(subscriber).get(url_for(gated_article))
    assert response.status_code == 200
    if surface_name in FULL_TEXT_SURFACES:
        assert PAGE_3_SENTENCE in response.content.decode()


def test_the_teaser_shows_the_first_paragraphs_and_the_offer_with_subscribe_and_log_in(gated_article):
    html = Client().get(gated_article.url + "3/").content.decode()
    assert TEASER_SENTENCE in html
    assert "The rest of this article is for subscribers" in html
    assert 'href="/subscribe/"' in html
    assert "/account/login/?next=" in html


def test_gated_pages_say_so_in_json_ld_and_free_ones_say_they_are_free(seed_article):
    assert '"isAccessibleForFree": true' in Client().get(seed_article.url).content.decode()
    seed_article.access_level = "subscribers"
    seed_article.save_revision().publish()
    html = Client().get(seed_article.url).content.decode()
    assert '"isAccessibleForFree": false' in html
    assert '"cssSelector": ".article-body"' in html


def test_meta_description_and_open_graph_carry_the_standfirst_only(gated_article):
    gated_article.standfirst = "Helsinki and Oslo grow closer."
    gated_article.save_revision().publish()
    html = Client().get(gated_article.url).content.decode()
    assert '<meta name="description" content="Helsinki and Oslo grow closer.">' in html
    assert '<meta property="og:description" content="Helsinki and Oslo grow closer.">' in html


def test_the_archive_rule_gates_old_free_articles(seed_article):
    settings = PaywallSettings.load()
    settings.archive_after_days = 365
    settings.save()
    html = Client().get(seed_article.url + "3/").content.decode()
    assert PAGE_3_SENTENCE not in html
    settings.archive_after_days = None
    settings.save()
    assert PAGE_3_SENTENCE in Client().get(seed_article.url + "3/").content.decode()


def test_the_meter_lets_a_reader_open_k_gated_articles_a_month_counted_on_the_server(gated_article, reader):
    settings = PaywallSettings.load()
    settings.meter_enabled, settings.meter_limit = True, 1
    settings.save()
    client = logged_in_client(reader)
    assert PAGE_3_SENTENCE in client.get(gated_article.url + "3/").content.decode()
    client.cookies.clear()  # clearing cookies does not reset the meter
    fresh = logged_in_client(reader)
    assert PAGE_3_SENTENCE in fresh.get(gated_article.url + "3/").content.decode(), "the same article stays open"
    from masthead.access.models import MeteredRead

    MeteredRead.objects.filter(reader=reader).update(article_id=0)  # as if another article used the read
    assert PAGE_3_SENTENCE not in fresh.get(gated_article.url + "3/").content.decode()


def test_editors_see_everything(gated_article, editor_client):
    assert PAGE_3_SENTENCE in editor_client.get(gated_article.url + "3/").content.decode()


def test_the_subscription_ending_ends_access_at_once(gated_article, make_user):
    user = make_user("pat")
    subscription = subscribe(user)
    client = logged_in_client(user)
    assert PAGE_3_SENTENCE in client.get(gated_article.url + "3/").content.decode()
    do_refund_under_guarantee(subscription, actor="reader", now=timezone.now())
    assert PAGE_3_SENTENCE not in client.get(gated_article.url + "3/").content.decode()


# -- digital editions: the EPUB and PDF carry the whole text, so only the entitled receive them -----

EDITION_FILES = ["edition.epub", "edition.pdf"]


def issue_page_of(article) -> str:
    """The URL of the issue the article is in; it is put in a published issue first if it has none."""
    from masthead.editions.models import IssueArticle
    from tests.factories import IssueFactory

    entry = IssueArticle.objects.filter(article=article).select_related("issue").first()
    issue = entry.issue if entry else IssueFactory(articles=[article])
    return issue.get_absolute_url()


@pytest.fixture
def built_edition(gated_article, settings, tmp_path) -> str:
    """The gated article's issue with its EPUB and PDF built; the issue page's URL."""
    from masthead.editions.builds import ensure_editions
    from masthead.editions.models import IssueArticle

    settings.EDITIONS_ROOT = tmp_path / "editions"
    url = issue_page_of(gated_article)
    outcomes = ensure_editions(IssueArticle.objects.get(article=gated_article).issue_id)
    assert {outcome.result for outcome in outcomes.values()} == {"built"}
    return url


def edition_text(file_name: str, data: bytes) -> str:
    """The words a reader's app shows from a downloaded edition file."""
    import io
    import zipfile

    from pypdf import PdfReader

    if file_name.endswith(".epub"):
        book = zipfile.ZipFile(io.BytesIO(data))
        text = " ".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xhtml"))
    else:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


@pytest.mark.parametrize("file_name", EDITION_FILES)
def test_readers_without_access_never_receive_the_edition_files(built_edition, outsider_client, file_name):
    for headers in SNEAKY_HEADERS:
        response = outsider_client.get(built_edition + file_name, **headers)
        assert response.status_code == 403, (file_name, headers)
        assert not response.streaming, (file_name, headers)
        assert PAGE_3_SENTENCE not in response.content.decode(), (file_name, headers)


@pytest.mark.parametrize("file_name", EDITION_FILES)
def test_a_subscriber_reads_the_gated_sentence_in_the_edition_files(built_edition, subscriber, file_name):
    response = logged_in_client(subscriber).get(built_edition + file_name)

    assert response.status_code == 200
    assert PAGE_3_SENTENCE in edition_text(file_name, b"".join(response.streaming_content))


def test_a_subscriber_reading_a_gated_page_costs_a_bounded_number_of_queries(gated_article, subscriber):
    """The paywall asks the ledger once per request, however many parts of the page need the answer."""
    client = logged_in_client(subscriber)
    client.get(gated_article.url + "3/")  # warm: renditions and the settings row exist from here on
    clear_page_cache()  # rendered again, for the subscribers' audience
    with CaptureQueriesContext(connection) as queries:
        response = client.get(gated_article.url + "3/")
    with CaptureQueriesContext(connection) as stored_copy_queries:
        again = client.get(gated_article.url + "3/")
    assert PAGE_3_SENTENCE in response.content.decode() and PAGE_3_SENTENCE in again.content.decode()
    subscription_reads = [query for query in queries if "subscriptions_subscription" in query["sql"]]
    paywall_reads = [query for query in queries if "access_paywallsettings" in query["sql"]]
    assert (len(subscription_reads), len(paywall_reads)) == (1, 1)
    assert len(queries) <= 20, "\n".join(query["sql"][:120] for query in queries)
    assert len(stored_copy_queries) == 0  # the next request is the audience's stored copy
