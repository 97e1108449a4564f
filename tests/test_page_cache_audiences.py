"""Signed-in readers share stored pages by audience (their entitlements), never by person.

What readers see is the evidence: whether the subscriber-only sentence is on the page, whose
account links it shows, and the X-Page-Cache header.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from masthead.access.models import PaywallSettings
from masthead.content.models import SectionPage
from masthead.content.services import create_or_update_article
from masthead.core import page_cache as page_cache_module
from masthead.core.page_cache import clear_page_cache
from masthead.subscriptions.services import do_cancel, do_refund_under_guarantee
from masthead.subscriptions.services.changes import do_resume
from tests.factories import ArticleFactory, AuthorFactory
from tests.personas import logged_in_client, subscribe
from tests.reading import main_text, parsed, reads_the_whole_seed_article, words
from tests.seed import SEED_ALL_PAGES


def account_link(response) -> str:
    return words(parsed(response).select_one('nav[aria-label="Account"]'))


def test_every_subscriber_is_served_one_stored_copy_with_the_whole_article(gated_article, subscriber, make_user):
    other = make_user("sol")
    subscribe(other, checkout="sol")
    sam, sol = logged_in_client(subscriber), logged_in_client(other)

    first, again, sols = sam.get(SEED_ALL_PAGES), sam.get(SEED_ALL_PAGES), sol.get(SEED_ALL_PAGES)

    assert [r["X-Page-Cache"] for r in (first, again, sols)] == ["miss", "hit", "hit"]
    assert all(reads_the_whole_seed_article(response) for response in (first, again, sols))
    assert "Your account" in account_link(sols) and "Sam" not in sols.content.decode()
    # Shared among subscribers by us, never by a proxy or a CDN on the way.
    assert all("private" in response["Cache-Control"] for response in (first, again, sols))


@pytest.mark.parametrize("who", ["anonymous", "reader", "lapsed"])
def test_no_stored_copy_reaches_a_reader_not_entitled_to_it(who, gated_article, subscriber_client, request):
    client = {
        "anonymous": lambda: Client(),
        "reader": lambda: request.getfixturevalue("reader_client"),
        "lapsed": lambda: logged_in_client(request.getfixturevalue("lapsed_subscriber")),
    }[who]()
    assert reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))
    assert subscriber_client.get(SEED_ALL_PAGES)["X-Page-Cache"] == "hit"

    for _ in range(2):
        response = client.get(SEED_ALL_PAGES)
        assert not reads_the_whole_seed_article(response)
        assert "Subscribe" in main_text(response)


def test_signed_in_readers_never_get_the_anonymous_copy_and_anonymous_readers_never_theirs(
    gated_article, anonymous, reader_client
):
    anonymous.get(SEED_ALL_PAGES)
    assert anonymous.get(SEED_ALL_PAGES)["X-Page-Cache"] == "hit"

    reader_client.get(SEED_ALL_PAGES)
    readers = reader_client.get(SEED_ALL_PAGES)

    assert readers["X-Page-Cache"] == "hit"
    assert "Your account" in account_link(readers) and "Log in" not in account_link(readers)
    assert "Log in" in account_link(anonymous.get(SEED_ALL_PAGES))


@pytest.mark.parametrize("ending", ["refund under the guarantee", "cancel at once"])
def test_access_ends_on_the_very_next_request(ending, gated_article, subscriber, subscriber_client):
    assert reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))
    assert reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))  # from the stored copy

    subscription = subscriber.subscriptions.get()
    if ending == "cancel at once":
        subscription.status = subscription.ENDED  # as staff's "end now" leaves it
        subscription.save()
    else:
        do_refund_under_guarantee(subscription, actor="reader")

    response = subscriber_client.get(SEED_ALL_PAGES)
    assert not reads_the_whole_seed_article(response)
    assert "Subscribe" in main_text(response)


def test_cancelling_at_period_end_keeps_access_and_resuming_keeps_it_too(gated_article, subscriber, subscriber_client):
    subscription = subscriber.subscriptions.get()
    subscriber_client.get(SEED_ALL_PAGES)

    do_cancel(subscription, actor="reader")
    assert reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))
    do_resume(subscription, actor="reader")
    assert reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))


def test_a_new_subscription_opens_the_article_on_the_next_request(gated_article, reader, reader_client):
    assert not reads_the_whole_seed_article(reader_client.get(SEED_ALL_PAGES))
    assert not reads_the_whole_seed_article(reader_client.get(SEED_ALL_PAGES))

    subscribe(reader, checkout="rita")

    assert reads_the_whole_seed_article(reader_client.get(SEED_ALL_PAGES))


def test_a_session_cookie_kept_after_logging_out_no_longer_opens_the_subscribers_copy(gated_article, subscriber_client):
    assert reads_the_whole_seed_article(subscriber_client.get(SEED_ALL_PAGES))
    assert subscriber_client.get(SEED_ALL_PAGES)["X-Page-Cache"] == "hit"  # the session's audience is remembered
    copied = subscriber_client.cookies[settings.SESSION_COOKIE_NAME].value

    subscriber_client.post("/account/logout/")
    replayed = Client()
    replayed.cookies[settings.SESSION_COOKIE_NAME] = copied

    assert not reads_the_whole_seed_article(replayed.get(SEED_ALL_PAGES))


def test_staff_pages_are_theirs_alone(gated_article, editor_client, subscriber_client):
    subscriber_client.get(SEED_ALL_PAGES)

    responses = [editor_client.get(SEED_ALL_PAGES) for _ in range(2)]

    assert [response["X-Page-Cache"] for response in responses] == ["miss", "miss"]
    assert all(reads_the_whole_seed_article(response) for response in responses)


def test_joining_the_editors_is_seen_on_the_next_request(gated_article, reader, reader_client):
    assert not reads_the_whole_seed_article(reader_client.get(SEED_ALL_PAGES))
    assert not reads_the_whole_seed_article(reader_client.get(SEED_ALL_PAGES))

    reader.groups.add(Group.objects.get(name="Editors"))

    assert reads_the_whole_seed_article(reader_client.get(SEED_ALL_PAGES))


def test_a_metered_reader_gets_their_own_page_and_their_meter_counts(gated_article, reader_client):
    paywall = PaywallSettings.load()
    paywall.meter_enabled, paywall.meter_limit = True, 1
    paywall.save()
    other = ArticleFactory(
        section=gated_article.get_parent().specific, access_level="subscribers", title="Second Gated Story"
    )

    first = reader_client.get(SEED_ALL_PAGES)
    again = reader_client.get(SEED_ALL_PAGES)
    over_the_limit = reader_client.get(other.url)

    assert reads_the_whole_seed_article(first) and reads_the_whole_seed_article(again)  # the same article counts once
    assert [first["X-Page-Cache"], again["X-Page-Cache"]] == ["miss", "miss"]
    assert "Subscribe" in main_text(over_the_limit)


def test_a_page_that_shows_a_flash_message_is_not_shared(gated_article, subscriber, subscriber_client):
    from django.contrib.messages.storage.cookie import CookieStorage

    subscriber_client.get(SEED_ALL_PAGES)
    subscriber_client.cookies[CookieStorage.cookie_name] = "x"  # a message waits (its signature is checked)

    response = subscriber_client.get(SEED_ALL_PAGES)

    assert "X-Page-Cache" not in response and reads_the_whole_seed_article(response)  # rendered for them


def test_editing_an_article_rebuilds_the_pages_that_show_it_and_no_other(sections, anonymous, subscriber_client):
    author = AuthorFactory(name="Maria Okafor")  # saving a new author clears every page: made first
    edited = ArticleFactory(section=sections["politics"], title="The Budget Vote", authors=[author])
    untouched = ArticleFactory(section=sections["culture"], title="A Quiet Exhibition", authors=[author])
    for client in (anonymous, subscriber_client):
        for url in (edited.url, untouched.url, "/"):
            client.get(url)

    create_or_update_article(
        section=sections["politics"],
        slug=edited.slug,
        title="The Budget Vote Is Postponed",
        author_names=[author.name],
        date=edited.date,
        body=edited.body.raw_data,
    )

    for client in (anonymous, subscriber_client):
        home, page, other = client.get("/"), client.get(edited.url), client.get(untouched.url)
        assert (home["X-Page-Cache"], page["X-Page-Cache"], other["X-Page-Cache"]) == ("miss", "miss", "hit")
        assert "The Budget Vote Is Postponed" in main_text(home) and "The Budget Vote Is Postponed" in main_text(page)


def test_publishing_a_new_article_puts_it_on_the_lists_and_leaves_other_articles_stored(sections, anonymous):
    author = AuthorFactory(name="Maria Okafor")  # saving a new author clears every page: made first
    existing = ArticleFactory(section=sections["politics"], title="The Budget Vote", authors=[author])
    for url in (existing.url, "/", sections["politics"].url):
        anonymous.get(url)

    ArticleFactory(section=sections["politics"], title="A Brand New Story", authors=[author])

    assert "A Brand New Story" in main_text(anonymous.get("/"))
    assert "A Brand New Story" in main_text(anonymous.get(sections["politics"].url))
    assert anonymous.get(existing.url)["X-Page-Cache"] == "hit"


def test_a_missing_page_is_rendered_once_for_many_readers_asking_at_once(at_once):
    sections = {section.slug: section for section in SectionPage.objects.all()}
    article = ArticleFactory(section=sections["politics"], title="Everybody Reads This")

    answers = at_once(*[lambda: Client().get(article.url) for _ in range(8)])

    assert sorted(answer["X-Page-Cache"] for answer in answers) == ["hit"] * 7 + ["miss"]
    assert all("Everybody Reads This" in main_text(answer) for answer in answers)


@pytest.mark.parametrize("sessions", ["already reading", "on their first request"])
def test_after_the_whole_cache_is_cleared_many_subscribers_at_once_render_the_page_once(sessions, at_once, make_user):
    """A move or a privacy change forgets every page; the subscribers asking for it then must not all render it.

    Readers already reading are recognised from their remembered audience; a session's first request works
    its audience out first, and must wait for the copy being rendered for that audience all the same.
    """
    sections = {section.slug: section for section in SectionPage.objects.all()}
    article = ArticleFactory(
        section=sections["politics"],
        title="Everybody Subscribed Reads This",
        access_level="subscribers",
        pages=[["<p>What only subscribers read.</p>"]],
    )
    readers = []
    for number in range(8):
        reader = make_user(f"reader{number}", first_name=f"Reader{number}")
        subscribe(reader, checkout=f"reader{number}")
        readers.append(logged_in_client(reader))
    if sessions == "already reading":
        assert [client.get(article.url)["X-Page-Cache"] for client in readers] == ["miss"] + ["hit"] * 7

    clear_page_cache()
    answers = at_once(*[lambda client=client: client.get(article.url) for client in readers])

    assert sorted(answer["X-Page-Cache"] for answer in answers) == ["hit"] * 7 + ["miss"]
    for number, answer in enumerate(answers):
        assert "What only subscribers read." in main_text(answer)
        assert f"Reader{number}" not in answer.content.decode()  # one copy for the audience, nobody's name in it


@pytest.mark.parametrize("who", ["anonymous", "a subscriber already reading", "a subscriber on their first request"])
def test_a_lone_reader_of_a_missing_page_never_waits_for_a_render(who, gated_article, subscriber, monkeypatch):
    """Only a request another one is rendering for waits; nobody waits on the render lock their own request took."""
    waits = []
    wait = page_cache_module.copy_rendered_by_another
    monkeypatch.setattr(
        page_cache_module, "copy_rendered_by_another", lambda *args: waits.append(args[1]) or wait(*args)
    )
    client = Client() if who == "anonymous" else logged_in_client(subscriber)
    if who == "a subscriber already reading":
        client.get(SEED_ALL_PAGES)
        clear_page_cache()

    response = client.get(SEED_ALL_PAGES)

    assert response["X-Page-Cache"] == "miss"
    assert reads_the_whole_seed_article(response) == (who != "anonymous")
    assert waits == []
