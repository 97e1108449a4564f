"""Readers in an institution's network read as subscribers, without an account; nobody else gets their copy.

What readers see is the evidence: whether the subscriber-only sentence is on the page, and the
X-Page-Cache header saying whether a stored copy answered.
"""

from __future__ import annotations

import contextlib
import datetime

import pytest
import time_machine
from django.db import DatabaseError, connections
from django.test import Client
from django.utils import timezone

from masthead.institutions.models import Institution
from tests.personas import logged_in_client
from tests.reading import parsed, reads_the_whole_seed_article, words
from tests.seed import SEED_ALL_PAGES

IN_THE_LIBRARY = "192.0.2.10"
AT_HOME = "198.51.100.7"
IN_THE_LIBRARY_V6 = "2001:db8:1::5"
AT_HOME_V6 = "2001:db9::1"


def account_links(response) -> str:
    return words(parsed(response).select_one('nav[aria-label="Account"]'))


def visitor(address: str, **headers) -> Client:
    return Client(REMOTE_ADDR=address, **headers)


@pytest.mark.parametrize(("inside", "outside"), [(IN_THE_LIBRARY, AT_HOME), (IN_THE_LIBRARY_V6, AT_HOME_V6)])
def test_the_librarys_network_reads_the_whole_article_and_its_copy_reaches_nobody_outside(
    inside, outside, library, gated_article
):
    at_home = [visitor(outside).get(SEED_ALL_PAGES)]  # the anonymous copy is stored first
    first, again = visitor(inside).get(SEED_ALL_PAGES), visitor(inside).get(SEED_ALL_PAGES)
    at_home.append(visitor(outside).get(SEED_ALL_PAGES))

    assert reads_the_whole_seed_article(first) and reads_the_whole_seed_article(again)
    assert [first["X-Page-Cache"], again["X-Page-Cache"]] == ["miss", "hit"]
    assert "Access from Turku City Library" in account_links(again)
    assert not any(reads_the_whole_seed_article(response) for response in at_home)
    assert not any("Turku" in response.content.decode() for response in at_home)
    assert [response["X-Page-Cache"] for response in at_home] == ["miss", "hit"]


def test_an_ipv4_address_written_as_ipv6_is_in_the_ipv4_range(library, gated_article):
    assert reads_the_whole_seed_article(visitor(f"::ffff:{IN_THE_LIBRARY}").get(SEED_ALL_PAGES))


def test_an_address_claimed_in_x_forwarded_for_by_the_client_opens_nothing(library, gated_article, settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert reads_the_whole_seed_article(visitor(IN_THE_LIBRARY).get(SEED_ALL_PAGES))

    spoofed = visitor(AT_HOME, HTTP_X_FORWARDED_FOR=IN_THE_LIBRARY).get(SEED_ALL_PAGES)

    assert not reads_the_whole_seed_article(spoofed)


def test_behind_our_own_proxy_the_address_it_saw_is_the_readers(library, gated_article, settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"

    through_proxy = visitor(proxy, HTTP_X_FORWARDED_FOR=IN_THE_LIBRARY).get(SEED_ALL_PAGES)
    # The client wrote the library's address first; our proxy appended the one it really came from.
    spoofed = visitor(proxy, HTTP_X_FORWARDED_FOR=f"{IN_THE_LIBRARY}, {AT_HOME}").get(SEED_ALL_PAGES)

    assert reads_the_whole_seed_article(through_proxy)
    assert not reads_the_whole_seed_article(spoofed)


def test_the_network_reads_only_during_the_institutions_period(library, gated_article):
    last_day = timezone.make_aware(datetime.datetime.combine(library.ends_on, datetime.time(23, 59)))
    with time_machine.travel(last_day, tick=False) as clock:
        assert reads_the_whole_seed_article(visitor(IN_THE_LIBRARY).get(SEED_ALL_PAGES))
        clock.shift(datetime.timedelta(minutes=2))
        assert not reads_the_whole_seed_article(visitor(IN_THE_LIBRARY).get(SEED_ALL_PAGES))


def test_a_signed_in_reader_who_leaves_the_library_gets_the_teaser_on_their_next_request(
    library, gated_article, reader
):
    client = logged_in_client(reader)
    client.defaults["REMOTE_ADDR"] = IN_THE_LIBRARY
    assert reads_the_whole_seed_article(client.get(SEED_ALL_PAGES))
    assert (
        reads_the_whole_seed_article(in_library := client.get(SEED_ALL_PAGES)) and in_library["X-Page-Cache"] == "hit"
    )

    client.defaults["REMOTE_ADDR"] = AT_HOME
    at_home = client.get(SEED_ALL_PAGES)

    assert not reads_the_whole_seed_article(at_home)


def test_ranges_removed_by_staff_stop_opening_articles_at_once(library, gated_article):
    assert reads_the_whole_seed_article(visitor(IN_THE_LIBRARY).get(SEED_ALL_PAGES))

    library.networks = "203.0.113.0/24"
    library.save()

    assert not reads_the_whole_seed_article(visitor(IN_THE_LIBRARY).get(SEED_ALL_PAGES))


@contextlib.contextmanager
def database_unreachable():
    """Point the default connection at a database nobody answers for (as in an outage), then back."""
    working = connections.settings["default"], connections["default"]
    if working[1].vendor == "sqlite":
        broken = {**working[0], "NAME": "/nonexistent/masthead.sqlite3"}
    else:
        broken = {**working[0], "HOST": "127.0.0.1", "PORT": "9"}
    connections.settings["default"] = broken
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"], connections["default"] = working


def test_while_the_database_is_unreachable_the_library_still_gets_its_stored_copy_and_home_the_teaser(
    library, gated_article, settings
):
    assert reads_the_whole_seed_article(visitor(IN_THE_LIBRARY).get(SEED_ALL_PAGES))
    assert not reads_the_whole_seed_article(visitor(AT_HOME).get(SEED_ALL_PAGES))
    settings.INSTITUTION_NETWORKS_RELOAD_SECONDS = 0  # every request asks the database for the ranges again

    with database_unreachable():
        with pytest.raises(DatabaseError):
            Institution.objects.count()
        in_the_library, at_home = visitor(IN_THE_LIBRARY).get(SEED_ALL_PAGES), visitor(AT_HOME).get(SEED_ALL_PAGES)

    assert [in_the_library.status_code, in_the_library["X-Page-Cache"]] == [200, "hit"]
    assert reads_the_whole_seed_article(in_the_library)
    assert [at_home.status_code, at_home["X-Page-Cache"]] == [200, "hit"]
    assert not reads_the_whole_seed_article(at_home)
    assert reads_the_whole_seed_article(visitor(IN_THE_LIBRARY).get(SEED_ALL_PAGES))  # and after it
