"""Through nginx, as readers reach `make prod`: cached anonymous pages purged on publish, gated MP3s and
editions sent by nginx from the bucket after the app's entitlement check, pictures from the bucket, readiness,
metrics."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import boto3
import pytest

from tests.production.conftest import wait_for

pytestmark = [pytest.mark.profile, pytest.mark.slow]

NEWEST_ARTICLE = """
import json
from masthead.content.models import ArticlePage
article = ArticlePage.objects.live().order_by("-first_published_at").first()
print(json.dumps({"id": article.pk, "url": article.url, "title": article.title}))
"""

RETITLE = """
import json
from masthead.content.models import ArticlePage
article = ArticlePage.objects.get(pk={pk})
article.title = {title!r}
article.save_revision().publish()
print(json.dumps(article.url))
"""


def test_anonymous_pages_come_from_nginx_and_a_publish_purges_them(profile):
    article = profile.python(NEWEST_ARTICLE)
    url = f"{article['url']}?from=test-{time.monotonic_ns()}"  # a page nginx has not kept before
    assert profile.get(url).headers["X-Front-Cache"] == "MISS"
    again = profile.get(url)
    assert again.status == 200
    assert again.headers["X-Front-Cache"] == "HIT"

    new_title = article["title"] + " (updated)"
    profile.python(RETITLE.format(pk=article["id"], title=new_title))

    after = profile.get(url)
    assert after.status == 200
    assert after.headers["X-Front-Cache"] != "HIT"
    assert new_title.replace("'", "&#x27;") in after.text
    profile.python(RETITLE.format(pk=article["id"], title=article["title"]))


def test_a_signed_in_reader_never_gets_the_shared_copy(profile, reader_session):
    # Narrations the workers finish meanwhile purge the home page; it is kept again on the next request.
    wait_for(lambda: profile.get("/").headers["X-Front-Cache"] == "HIT", seconds=60, what="nginx to keep the home page")

    mine = profile.get("/", session=reader_session)

    assert mine.status == 200
    assert mine.headers["X-Front-Cache"] == "BYPASS"


def test_pictures_come_from_the_bucket_through_nginx_and_nothing_else_of_it(profile):
    page = profile.get("/").text
    picture = page.split(f'src="{profile.url}/media/images/', 1)[1].split('"', 1)[0]

    answer = profile.get(f"/media/images/{picture}")

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "image/jpeg"
    assert profile.get("/media/circulation/mailing-lists/x/list.csv").status == 404


EDITION = """
import json
from masthead.editions.models import EditionFile
edition = EditionFile.objects.filter(status="ready", format="epub").select_related("issue").first()
print(json.dumps(edition and {"url": f"/issues/{edition.issue.year}/{edition.issue.number}/edition.epub",
                              "file": edition.file_name, "size": edition.file_size}))
"""

NARRATION = """
import json
from django.urls import reverse
from masthead.audio.models import ArticleNarration
narration = ArticleNarration.objects.filter(status="ready").exclude(file_name="").first()
print(json.dumps(narration and {"url": reverse("audio:article_audio", args=[narration.article_id]),
                                "file": narration.file_name, "size": narration.file_size}))
"""

# What the app would name in X-Accel-Redirect for a gated file: a presigned URL of the bucket, fresh.
NGINX_NAME_FOR = """
import json
from django.core.files.storage import storages
print(json.dumps(storages[{kind!r}].accel_redirect({name!r})))
"""


def bucket(profile):
    return boto3.client(
        "s3",
        endpoint_url=profile.env["AWS_S3_ENDPOINT_URL"],
        aws_access_key_id=profile.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=profile.env["AWS_SECRET_ACCESS_KEY"],
        region_name=profile.env["AWS_DEFAULT_REGION"],
    )


def assert_only_the_bucket_holds(profile, kind: str, name: str) -> None:
    """The file is a private object of the bucket under `kind`/, and not on the machine's disk."""
    key = f"{kind}/{name}"
    s3 = bucket(profile)
    assert s3.head_object(Bucket=profile.env["AWS_STORAGE_BUCKET_NAME"], Key=key)["ContentLength"] > 0
    endpoint, bucket_name = profile.env["AWS_S3_ENDPOINT_URL"], profile.env["AWS_STORAGE_BUCKET_NAME"]
    assert profile.get_absolute(f"{endpoint}/{bucket_name}/{key}").status == 403  # no ACL: nobody but us
    assert not (Path(profile.env["DATA_DIR"]) / kind / name).exists()


def header(answer, name: str) -> str | None:
    """A header of the answer whatever its case (the bucket's are lower-case)."""
    return {key.lower(): value for key, value in answer.headers.items()}.get(name.lower())


def assert_nothing_of_the_bucket_shows(answer) -> None:
    assert not [name for name in answer.headers if name.lower().startswith("x-amz")]
    assert b"<Error>" not in answer.body and b"AccessKeyId" not in answer.body


def test_a_subscriber_gets_the_epub_from_the_bucket_through_nginx_and_a_reader_gets_the_offer(
    profile, subscriber_session, reader_session
):
    edition = wait_for(lambda: profile.python(EDITION), seconds=600, every=5, what="an EPUB built by the worker")

    mine = profile.get(edition["url"], session=subscriber_session)
    theirs = profile.get(edition["url"], session=reader_session)

    assert mine.status == 200
    assert mine.headers["Content-Type"] == "application/epub+zip"
    assert mine.headers["Content-Disposition"].startswith("attachment;")
    assert mine.headers["Cache-Control"] == "private, no-store"
    assert mine.body[:4] == b"PK\x03\x04" and len(mine.body) == edition["size"]
    assert_nothing_of_the_bucket_shows(mine)
    assert theirs.status == 403 and not theirs.body.startswith(b"PK")
    assert_only_the_bucket_holds(profile, "editions", edition["file"])
    assert profile.get(f"/protected-editions/{edition['file']}").status == 404  # internal to nginx


def test_a_subscriber_hears_the_mp3_from_the_bucket_through_nginx_with_ranges(profile, subscriber_session):
    narration = wait_for(lambda: profile.python(NARRATION), seconds=900, every=10, what="a narration by the worker")

    whole = profile.get(narration["url"], session=subscriber_session)
    part = profile.get(narration["url"], session=subscriber_session, headers={"Range": "bytes=100-199"})
    heard = profile.head(narration["url"], session=subscriber_session)

    assert whole.status == 200
    assert whole.headers["Content-Type"] == "audio/mpeg"
    assert whole.headers["Content-Disposition"].startswith("inline;")
    assert whole.body[:3] == b"ID3" and len(whole.body) == narration["size"]
    assert part.status == 206 and part.body == whole.body[100:200]
    assert header(part, "Content-Range") == f"bytes 100-199/{narration['size']}"
    assert heard.status == 200 and heard.body == b"" and header(heard, "Content-Length") == str(narration["size"])
    for answer in (whole, part, heard):
        assert_nothing_of_the_bucket_shows(answer)
    assert_only_the_bucket_holds(profile, "audio", narration["file"])


def test_the_bucket_location_of_nginx_answers_only_the_app(profile, subscriber_session):
    """Even a freshly presigned URL of a gated file is 404 when a reader asks nginx for it."""
    narration = wait_for(lambda: profile.python(NARRATION), seconds=900, every=10, what="a narration by the worker")
    edition = wait_for(lambda: profile.python(EDITION), seconds=600, every=5, what="an EPUB built by the worker")

    for kind, name in (("audio", narration["file"]), ("editions", edition["file"])):
        named = profile.python(NGINX_NAME_FOR.format(kind=kind, name=name))
        assert named.startswith("/protected-s3/")
        answer = profile.get(named, session=subscriber_session)
        assert answer.status == 404
        assert_nothing_of_the_bucket_shows(answer)
    assert profile.get(f"/media/audio/{narration['file']}").status == 404
    assert profile.get(f"/media/editions/{edition['file']}").status == 404


def test_an_mp3_gone_from_the_bucket_is_nginxs_404_not_the_buckets_error(profile, subscriber_session):
    narration = wait_for(lambda: profile.python(NARRATION), seconds=900, every=10, what="a narration by the worker")
    s3, bucket_name, key = bucket(profile), profile.env["AWS_STORAGE_BUCKET_NAME"], f"audio/{narration['file']}"
    kept = s3.get_object(Bucket=bucket_name, Key=key)["Body"].read()
    s3.delete_object(Bucket=bucket_name, Key=key)
    try:
        answer = profile.get(narration["url"], session=subscriber_session)
    finally:
        s3.put_object(Bucket=bucket_name, Key=key, Body=kept, ContentType="audio/mpeg")

    assert answer.status == 404
    assert b"NoSuchKey" not in answer.body
    assert_nothing_of_the_bucket_shows(answer)


# Without a sendfile header the app itself streams the gated files from the bucket (any front server).
STREAMED_BY_THE_APP = """
import hashlib, json
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
client = Client()
client.force_login(get_user_model().objects.get(username="prod-sam"))
with override_settings(AUDIO_SENDFILE_HEADER="", EDITIONS_SENDFILE_HEADER="", ALLOWED_HOSTS=["testserver"]):
    answers = {{
        "whole": client.get({audio!r}),
        "part": client.get({audio!r}, HTTP_RANGE="bytes=100-199"),
        "past_the_end": client.get({audio!r}, HTTP_RANGE="bytes={size}-"),
        "edition": client.get({edition!r}),
    }}
def seen(answer):
    body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    return {{"status": answer.status_code, "length": answer.get("Content-Length"), "range": answer.get("Content-Range"),
            "sha256": hashlib.sha256(body).hexdigest()}}
print(json.dumps({{name: seen(answer) for name, answer in answers.items()}}))
"""


def test_without_a_sendfile_header_the_app_streams_gated_files_from_the_bucket_with_ranges(profile, subscriber_session):
    narration = wait_for(lambda: profile.python(NARRATION), seconds=900, every=10, what="a narration by the worker")
    edition = wait_for(lambda: profile.python(EDITION), seconds=600, every=5, what="an EPUB built by the worker")
    s3, bucket_name = bucket(profile), profile.env["AWS_STORAGE_BUCKET_NAME"]
    mp3 = s3.get_object(Bucket=bucket_name, Key=f"audio/{narration['file']}")["Body"].read()
    epub = s3.get_object(Bucket=bucket_name, Key=f"editions/{edition['file']}")["Body"].read()

    answers = profile.python(
        STREAMED_BY_THE_APP.format(audio=narration["url"], edition=edition["url"], size=narration["size"])
    )

    assert answers["whole"] == {
        "status": 200,
        "length": str(len(mp3)),
        "range": None,
        "sha256": hashlib.sha256(mp3).hexdigest(),
    }
    assert answers["part"] == {
        "status": 206,
        "length": "100",
        "range": f"bytes 100-199/{len(mp3)}",
        "sha256": hashlib.sha256(mp3[100:200]).hexdigest(),
    }
    assert answers["past_the_end"]["status"] == 416
    assert answers["edition"]["status"] == 200
    assert answers["edition"]["length"] == str(len(epub))
    assert answers["edition"]["sha256"] == hashlib.sha256(epub).hexdigest()


def test_readyz_through_nginx_reports_every_part_up(profile):
    answer = profile.get("/readyz")

    assert answer.status == 200
    report = json.loads(answer.body)
    assert {name: check["state"] for name, check in report["checks"].items()} == dict.fromkeys(
        ("database", "cache", "task_queue", "storage"), "ok"
    )
    # Each RQ queue, and the tasks held in the database while Redis was down (ops/task_queues.py).
    queues = {"default", "billing", "email", "editions", "audio", "held"}
    assert set(report["checks"]["task_queue"]["depth"]) == queues


def test_metrics_through_nginx_add_up_every_web_and_worker_process(profile):
    token = profile.env["METRICS_TOKEN"]
    assert profile.get("/metrics").status == 401

    text = profile.get("/metrics", headers={"Authorization": f"Bearer {token}"}).text

    assert 'masthead_task_queue_depth{queue="audio"}' in text
    assert 'view="wagtail_serve"' in text
    assert (
        'masthead_tasks_finished_total{status="successful",task="masthead.editions.tasks.build_issue_editions"}' in text
    )
