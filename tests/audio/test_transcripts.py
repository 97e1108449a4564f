"""Transcripts: each narration's text as written, timed per sentence, in WebVTT and HTML, linked from the
podcast feeds (podcast:transcript) and served only to those who may hear the narration."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from masthead.audio import services
from masthead.audio.feeds import PODCAST
from masthead.audio.models import ArticleNarration
from tests.factories import ArticleFactory, AuthorFactory

CUE_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")


def seconds(hours, minutes, secs, millis) -> float:
    return int(hours) * 3600 + int(minutes) * 60 + int(secs) + int(millis) / 1000


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) per cue, as a player's WebVTT parser reads them."""
    assert text.startswith("WEBVTT\n\n")
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        _number, times, *lines = block.split("\n")
        found = CUE_TIME.match(times)
        assert found, times
        cues.append((seconds(*found.groups()[:4]), seconds(*found.groups()[4:]), " ".join(lines)))
    return cues


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def money_article(sections):
    """A free article whose sentences the narrator rewrites ("$60 billion", "Dr.")."""
    return ArticleFactory(
        section=sections["politics"],
        title="Cable Deal Signed",
        slug="cable-deal-signed",
        authors=[AuthorFactory(name="Ines Roy")],
        date=datetime.date(2024, 3, 5),
        body=[
            {"type": "paragraph", "value": "<p>The $60 billion deal was signed in 2022. Both sides cheered.</p>"},
            {"type": "paragraph", "value": "<p>Dr. Lee said the cable would open in 2026 &amp; not before.</p>"},
        ],
    )


def test_the_transcript_shows_what_was_written_timed_sentence_by_sentence(anonymous, money_article, narrate):
    narration = narrate(money_article)

    response = anonymous.get(f"/audio/articles/{money_article.pk}.vtt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    cues = parse_vtt(response.content.decode())
    texts = [text for _, _, text in cues]
    assert texts[0] == "Cable Deal Signed"
    assert "The $60 billion deal was signed in 2022." in texts
    assert "Both sides cheered." in texts
    # "Dr. Lee" splits the written sentence but not the spoken one: the paragraph is one cue, escaped.
    assert "Dr. Lee said the cable would open in 2026 &amp; not before." in texts
    starts = [start for start, _, _ in cues]
    assert starts == sorted(starts)
    assert all(start < end for start, end, _ in cues)
    assert cues[-1][1] <= narration.duration_ms / 1000


def test_the_html_transcript_is_the_article_as_written(anonymous, money_article, narrate):
    narrate(money_article)

    response = anonymous.get(f"/audio/articles/{money_article.pk}/transcript.html")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Cable Deal Signed</h1>" in html
    assert "<p>The $60 billion deal was signed in 2022. Both sides cheered.</p>" in html
    assert "&amp; not before." in html


def transcript_links(xml: bytes) -> list[dict[str, str]]:
    root = ElementTree.fromstring(xml)  # noqa: S314 (our own feed, in a test)
    return [dict(link.attrib) for link in root.iter(f"{{{PODCAST}}}transcript")]


def test_feeds_link_each_episodes_transcripts(anonymous, money_article, narrate):
    narrate(money_article)

    links = transcript_links(anonymous.get("/audio/feed.xml").content)

    base = f"http://testserver/audio/articles/{money_article.pk}"
    assert links == [
        {"url": f"{base}.vtt", "type": "text/vtt", "language": "en", "rel": "captions"},
        {"url": f"{base}/transcript.html", "type": "text/html", "language": "en"},
    ]
    for link in links:
        assert anonymous.get(path_of(link["url"])).status_code == 200


def test_a_gated_transcript_is_for_those_who_may_listen(
    anonymous, reader_client, subscriber, subscriber_client, gated_article, narrate
):
    narrate(gated_article)
    path = f"/audio/articles/{gated_article.pk}.vtt"

    assert anonymous.get(path).status_code == 403
    assert reader_client.get(path).status_code == 403
    response = subscriber_client.get(path)
    assert response.status_code == 200
    assert "Yields fell for a third day." in response.content.decode()
    assert response["Cache-Control"] == "private"


def test_a_private_feed_links_transcripts_with_its_token_and_they_stop_with_the_subscription(
    anonymous, subscriber, gated_article, narrate
):
    from masthead.subscriptions.models import Subscription
    from masthead.subscriptions.services import do_refund_under_guarantee

    narrate(gated_article)
    token = services.feed_token_for(subscriber).token
    links = transcript_links(anonymous.get(f"/audio/private/{token}/feed.xml").content)
    vtt = f"/audio/private/{token}/{gated_article.pk}.vtt"
    html = f"/audio/private/{token}/{gated_article.pk}/transcript.html"
    assert [path_of(link["url"]) for link in links] == [vtt, html]

    response = anonymous.get(vtt)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "Traders expect the central bank to wait." in anonymous.get(html).content.decode()
    assert anonymous.get(f"/audio/private/not-a-token/{gated_article.pk}.vtt").status_code == 404

    do_refund_under_guarantee(Subscription.objects.get(reader=subscriber), actor="reader")
    assert anonymous.get(vtt).status_code == 403


def test_a_narration_made_before_transcripts_has_none_and_its_feed_item_links_none(anonymous, free_article, narrate):
    narrate(free_article)
    ArticleNarration.objects.filter(article=free_article).update(cues=[])

    assert anonymous.get(f"/audio/articles/{free_article.pk}.vtt").status_code == 404
    assert "podcast:transcript" not in anonymous.get("/audio/feed.xml").content.decode()
