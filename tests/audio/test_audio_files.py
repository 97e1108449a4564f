"""The MP3 URL follows the paywall, answers range requests, and never lands in the shared page cache."""

from __future__ import annotations

import pytest

from masthead.audio.views import file_url


def get_audio(client, narration, **headers):
    return client.get(file_url(narration.article_id, narration.version), headers=headers)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def free_audio(free_article, narrate):
    return narrate(free_article)


@pytest.fixture
def gated_audio(gated_article, narrate):
    return narrate(gated_article)


def test_anyone_can_play_a_free_articles_audio(anonymous, free_audio):
    response = get_audio(anonymous, free_audio)

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Accept-Ranges"] == "bytes"
    assert body(response) == free_audio.path.read_bytes()
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize("persona", ["anonymous", "reader_client", "refunded_subscriber_client"])
def test_readers_without_a_subscription_cannot_fetch_a_subscriber_articles_audio(request, persona, gated_audio):
    client = request.getfixturevalue(persona)

    response = get_audio(client, gated_audio)

    assert response.status_code == 403
    assert b"ID3" not in response.content


def test_a_subscriber_can_play_a_subscriber_articles_audio_which_stays_private(subscriber_client, gated_audio):
    response = get_audio(subscriber_client, gated_audio)

    assert response.status_code == 200
    assert body(response) == gated_audio.path.read_bytes()
    assert response["Cache-Control"].startswith("private")


def test_audio_responses_never_enter_the_anonymous_page_cache(anonymous, free_audio, gated_audio):
    for _ in range(2):
        assert get_audio(anonymous, free_audio)["X-Page-Cache"] == "miss"
        assert get_audio(anonymous, gated_audio)["X-Page-Cache"] == "miss"


def test_audio_files_live_outside_the_public_media_folder(settings, free_audio, anonymous):
    assert not free_audio.path.is_relative_to(settings.MEDIA_ROOT)
    assert anonymous.get(f"/media/{free_audio.file_name}").status_code == 404


def test_an_article_without_audio_has_no_audio_url(anonymous, free_article):
    assert anonymous.get(f"/audio/articles/{free_article.pk}.mp3").status_code == 404


def test_a_range_request_gets_206_with_exactly_those_bytes(anonymous, free_audio):
    data = free_audio.path.read_bytes()

    response = get_audio(anonymous, free_audio, Range="bytes=100-1099")

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-1099/{len(data)}"
    assert response["Content-Length"] == "1000"
    assert body(response) == data[100:1100]


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [("bytes=-500", -500, None), ("bytes=2000-", 2000, None), ("bytes=0-0", 0, 1)],
)
def test_open_ended_suffix_and_one_byte_ranges(anonymous, free_audio, header, first, last):
    data = free_audio.path.read_bytes()
    expected = data[first:last]

    response = get_audio(anonymous, free_audio, Range=header)

    assert response.status_code == 206
    assert body(response) == expected
    start = first % len(data)
    assert response["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{len(data)}"


def test_a_range_past_the_end_gets_416(anonymous, free_audio):
    size = free_audio.path.stat().st_size

    response = get_audio(anonymous, free_audio, Range=f"bytes={size}-")

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


def test_a_malformed_range_gets_the_whole_file(anonymous, free_audio):
    response = get_audio(anonymous, free_audio, Range="bytes=abc")

    assert response.status_code == 200
    assert body(response) == free_audio.path.read_bytes()


def test_a_range_for_an_older_version_gets_the_whole_new_file(anonymous, free_audio):
    response = get_audio(anonymous, free_audio, Range="bytes=0-9", **{"If-Range": '"stale"'})

    assert response.status_code == 200
    assert "Content-Range" not in response
    assert body(response) == free_audio.path.read_bytes()


def test_a_range_request_for_gated_audio_is_refused_before_any_bytes(anonymous, gated_audio):
    assert get_audio(anonymous, gated_audio, Range="bytes=0-99").status_code == 403


@pytest.mark.parametrize(
    ("header", "redirect"),
    [("X-Accel-Redirect", "/protected-audio/{file}"), ("X-Sendfile", "{root}/{file}")],
)
def test_the_web_server_can_send_the_file(settings, subscriber_client, gated_audio, audio_root, header, redirect):
    settings.AUDIO_SENDFILE_HEADER = header

    response = get_audio(subscriber_client, gated_audio)

    assert response.status_code == 200
    assert response[header] == redirect.format(root=audio_root, file=gated_audio.file_name)
    assert response.content == b""
    assert response["Cache-Control"].startswith("private")


def test_podcast_apps_can_ask_for_the_size_with_head(anonymous, free_audio):
    response = anonymous.head(file_url(free_audio.article_id, free_audio.version))

    assert response.status_code == 200
    assert response["Content-Length"] == str(free_audio.file_size)
