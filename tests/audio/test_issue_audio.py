"""An issue's audio: a subscriber downloads its narrations as one MP3 per article in a zip, in the
issue's order, or follows the issue as a playlist; others get the free articles and the offer."""

from __future__ import annotations

import datetime
import io
import os
import zipfile

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from masthead.audio import conf
from tests.factories import IssueFactory


@pytest.fixture
def issue(free_article, gated_article, narrate):
    """An issue whose table of contents puts the subscribers-only article first, the free one second."""
    narrate(free_article)
    narrate(gated_article)
    return IssueFactory(articles=[gated_article, free_article])


def zip_of(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_subscriber_downloads_the_issue_as_one_mp3_per_article_in_its_order(
    subscriber_client, issue, gated_article, free_article
):
    response = subscriber_client.get(f"/audio/issues/{issue.pk}.zip")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    assert f"-volume-{issue.volume}-number-{issue.number}-audio.zip" in response["Content-Disposition"]
    archive = zip_of(response)
    assert archive.namelist() == ["01 the-bond-market-blinks.mp3", "02 budget-talks-stall.mp3"]
    for name, article in zip(archive.namelist(), [gated_article, free_article], strict=True):
        data = archive.read(name)
        assert data[:3] == b"ID3"
        assert data == article.narration.path.read_bytes()


def stored_zips() -> list[str]:
    return sorted(name for name in conf.audio_storage().listdir("issues")[1] if name.endswith(".zip"))


def test_the_zip_is_written_once_and_sent_by_nginx_where_nginx_sends_the_mp3s(settings, subscriber_client, issue):
    """A hundred megabytes copied through a web process on every download would hold it for minutes."""
    first = subscriber_client.get(f"/audio/issues/{issue.pk}.zip")
    archive = zip_of(first)
    [stored] = stored_zips()

    settings.AUDIO_SENDFILE_HEADER = "X-Accel-Redirect"
    again = subscriber_client.get(f"/audio/issues/{issue.pk}.zip")

    assert again["X-Accel-Redirect"] == f"/protected-audio/issues/{stored}"
    assert again.content == b"", "nginx sends the bytes"
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert stored_zips() == [stored]
    assert zipfile.ZipFile(conf.audio_storage().path(f"issues/{stored}")).namelist() == archive.namelist()


def test_a_new_narration_in_the_issue_makes_a_new_zip_and_the_old_one_goes_once_a_day_old(
    subscriber_client, issue, free_article, narrate
):
    zip_of(subscriber_client.get(f"/audio/issues/{issue.pk}.zip"))
    [old] = stored_zips()
    a_day_ago = (timezone.now() - datetime.timedelta(days=1, minutes=1)).timestamp()
    os.utime(conf.audio_storage().path(f"issues/{old}"), (a_day_ago, a_day_ago))
    free_article.title = "Budget Talks Resume"
    free_article.save_revision().publish()
    renarrated = narrate(free_article)

    archive = zip_of(subscriber_client.get(f"/audio/issues/{issue.pk}.zip"))

    assert archive.namelist() == ["01 the-bond-market-blinks.mp3", "02 budget-talks-resume.mp3"]
    assert archive.read("02 budget-talks-resume.mp3") == renarrated.path.read_bytes()
    [new] = stored_zips()
    assert new != old


def test_the_zip_is_for_subscribers_only(anonymous, reader_client, refunded_subscriber_client, issue):
    assert anonymous.get(f"/audio/issues/{issue.pk}.zip").status_code == 302  # to the login page
    for client in (reader_client, refunded_subscriber_client):
        response = client.get(f"/audio/issues/{issue.pk}.zip")
        assert response.status_code == 403
        assert response.content.decode() == "An issue's audio download is for subscribers."


def test_an_issue_without_audio_or_unpublished_has_no_zip_and_no_playlist(subscriber_client, issue, sections):
    empty = IssueFactory()
    assert subscriber_client.get(f"/audio/issues/{empty.pk}.zip").status_code == 404
    assert subscriber_client.get(f"/audio/issues/{empty.pk}/").status_code == 404
    issue.live = False
    issue.save(update_fields=["live"])
    assert subscriber_client.get(f"/audio/issues/{issue.pk}.zip").status_code == 404


def playlist(client, issue):
    response = client.get(f"/audio/issues/{issue.pk}/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one("[data-issue-playlist]")


def test_a_subscriber_follows_the_issue_as_a_playlist_in_its_order(subscriber_client, issue, gated_article):
    page = playlist(subscriber_client, issue)

    buttons = page.select("button[data-action=play]")
    assert [button["data-title"] for button in buttons] == ["The Bond Market Blinks", "Budget Talks Stall"]
    assert buttons[0]["data-src"].startswith(f"/audio/articles/{gated_article.pk}.mp3?v=")
    assert subscriber_client.get(buttons[0]["data-src"]).status_code == 200
    assert page.select_one("audio[data-role=audio]") is not None
    assert page.select_one(f"a[href='/audio/issues/{issue.pk}.zip']") is not None


def test_others_hear_the_free_articles_of_the_playlist_and_are_offered_the_rest(anonymous, issue, free_article):
    page = playlist(anonymous, issue)

    assert [button["data-title"] for button in page.select("button[data-action=play]")] == ["Budget Talks Stall"]
    locked = page.select_one("ol li a")
    assert locked.get_text() == "The Bond Market Blinks" and "for subscribers" in page.select_one("ol li").get_text()
    assert "Subscribe to listen" in page.select_one(".issue-playlist__offer").get_text()
    assert page.select_one(f"a[href='/audio/issues/{issue.pk}.zip']") is None


def test_the_issue_page_links_its_playlist_and_zip(anonymous, issue):
    response = anonymous.get(f"/issues/{issue.year}/{issue.number}/")

    panel = BeautifulSoup(response.content, "html.parser").select_one("section.issue-audio")
    assert "Play all 2 narrated articles in order" in panel.get_text()
    assert [link["href"] for link in panel.select("a")] == [
        f"/audio/issues/{issue.pk}/",
        f"/audio/issues/{issue.pk}.zip",
    ]


def test_downloading_the_zip_again_and_again_is_refused_for_a_while(settings, subscriber_client, issue):
    door = settings.RATE_LIMITS["issue_audio_zip"]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "issue_audio_zip": {**door, "per_reader": "2/h"}}

    answers = [subscriber_client.get(f"/audio/issues/{issue.pk}.zip").status_code for _ in range(3)]

    assert answers == [200, 200, 429]
