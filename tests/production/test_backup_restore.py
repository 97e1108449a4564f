"""The restore drill: last night's backup of a PostgreSQL site with its pictures on S3 (moto's server)
and its narrations' and editions' files (on disk, or private objects in the bucket), restored into a fresh
database, bucket and data folder, is the same site."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import boto3
import psycopg
import pytest

from tests.production.servers import moto_server

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = "postgres://postgres@127.0.0.1:5432"

COUNTS = "import json; from masthead.ops.backups import site_counts; print(json.dumps(site_counts()))"
PAGE = """
import hashlib, json
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from masthead.content.models import ArticlePage
from masthead.editions.models import EditionFile
article = ArticlePage.objects.live().order_by("pk").first()
api, feed = Client().get(f"/api/articles/{article.pk}/"), Client().get("/feed/")
sam = Client()
sam.force_login(get_user_model().objects.get(username="sam"))
heard = sam.get(reverse("audio:article_audio", args=[article.pk]), HTTP_RANGE="bytes=10-")
edition = EditionFile.objects.select_related("issue").get(format="epub")
book = sam.get(f"/issues/{edition.issue.year}/{edition.issue.number}/edition.epub")
print(json.dumps({
    "status": [api.status_code, feed.status_code, heard.status_code, book.status_code],
    "article": api.json(),
    "feed": feed.text,
    "mp3": hashlib.sha256(b"".join(heard.streaming_content)).hexdigest(),
    "epub": hashlib.sha256(b"".join(book.streaming_content)).hexdigest(),
}))
"""

# Narrate the first article with the tests' stand-in voice (the real pipeline, in a blink).
NARRATE = """
from masthead.audio import services, synthesis
from masthead.content.models import ArticlePage
from tests.audio.conftest import ToneVoice
voice = ToneVoice()
synthesis.load_synthesizer, synthesis.voice_name = (lambda: voice), (lambda setting=None: voice.name)
assert services.ensure_audio(ArticlePage.objects.live().order_by("pk").first().pk).result == services.NARRATED
"""


@pytest.fixture
def s3():
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def databases():
    names = [f"drill_{role}_{secrets.token_hex(4)}" for role in ("tonight", "restored")]
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    yield names
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site(database: str, bucket: str, data_dir: Path, endpoint: str, gated_files: str):
    """Run manage.py against one site: its database, its bucket, its data folder; production settings."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings",
        "DATABASE_URL": f"{POSTGRES}/{database}",
        "DATA_DIR": str(data_dir),
        "SECRET_KEY": "drill",
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "MEDIA_STORAGE_BACKEND": "masthead.ops.storage.PublicPicturesS3Storage",
        "GATED_FILES_STORAGE": gated_files,
        "TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "AUDIO_NARRATE_ON_PUBLISH": "false",
        "EDITIONS_BUILD_ON_PUBLISH": "true",
        "SEED_DIR": str(ROOT / "tests" / "fixtures" / "seed"),
        "ALLOW_SANDBOX_GATEWAY": "true",
    }

    def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0 or not check, f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}"
        return done

    return manage


JIT = "from django.db import connection; c = connection.cursor(); c.execute('SHOW jit'); print(c.fetchone()[0])"


def bucket_files(endpoint: str, bucket: str) -> dict[str, str]:
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}


def disk_files(data_dir: Path, kind: str) -> dict[str, bytes]:
    root = data_dir / kind
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def gated_files(gated: str, endpoint: str, bucket: str, data_dir: Path, kind: str) -> dict[str, bytes]:
    """The narrations' or editions' files of a site, by name, wherever GATED_FILES_STORAGE keeps them."""
    if gated == "disk":
        return disk_files(data_dir, kind)
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
    return {
        key.removeprefix(f"{kind}/"): s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        for key in bucket_files(endpoint, bucket)
        if key.startswith(f"{kind}/")
    }


def public_keys(endpoint: str, bucket: str) -> set[str]:
    """The bucket's objects anyone may read (pictures only, by the site's rules)."""
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
    everyone = "http://acs.amazonaws.com/groups/global/AllUsers"
    return {
        key
        for key in bucket_files(endpoint, bucket)
        if any(grant["Grantee"].get("URI") == everyone for grant in s3.get_object_acl(Bucket=bucket, Key=key)["Grants"])
    }


@pytest.mark.parametrize("gated", ["disk", "s3"])
def test_last_nights_backup_restores_into_a_fresh_database_and_bucket_as_the_same_site_and_only_there(
    s3, databases, tmp_path, gated
):
    boto = boto3.client("s3", endpoint_url=s3, aws_access_key_id="testing", aws_secret_access_key="testing")
    for bucket in ("tonight", "restored"):
        boto.create_bucket(Bucket=bucket)
    tonight = site(databases[0], "tonight", tmp_path / "tonight", s3, gated)
    tonight("migrate", "--noinput")
    tonight("load_demo", "--articles", "4", "--issues", "1")
    tonight("shell", "-v", "0", "-c", NARRATE)
    tonight(
        "shell",
        "-v",
        "0",
        "-c",
        "from tests.personas import subscribe; from django.contrib.auth import get_user_model; "
        "[subscribe(get_user_model().objects.create_user(n, f'{n}@example.com', 'pw')) for n in ('sam', 'sue')]",
    )
    before = json.loads(tonight("shell", "-v", "0", "-c", COUNTS).stdout)
    page_before = json.loads(tonight("shell", "-v", "0", "-c", PAGE).stdout)
    backup_dir = tmp_path / "backups" / "last-night"

    said = tonight("backup", "--output", str(backup_dir)).stdout

    assert "Backed up to" in said
    restored = site(databases[1], "restored", tmp_path / "restored", s3, gated)
    said = restored("restore", str(backup_dir)).stdout
    assert "Restored" in said

    after = json.loads(restored("shell", "-v", "0", "-c", COUNTS).stdout)
    assert after == before
    assert before["articles"] >= 4 and before["subscriptions"] == 2 and before["payments"] == 2
    assert bucket_files(s3, "restored") == bucket_files(s3, "tonight")
    assert len(bucket_files(s3, "restored")) >= before["pictures"]
    editions, narrations = (
        {name: gated_files(gated, s3, name, tmp_path / name, kind) for name in ("tonight", "restored")}
        for kind in ("editions", "audio")
    )
    assert editions["restored"] == editions["tonight"]
    assert {Path(name).suffix for name in editions["restored"]} == {".epub", ".pdf"}
    assert narrations["restored"] == narrations["tonight"]
    assert [Path(name).suffix for name in narrations["restored"]] == [".mp3"]
    if gated == "s3":  # in the bucket only, and as private there as before
        assert not disk_files(tmp_path / "restored", "editions") and not disk_files(tmp_path / "restored", "audio")
        assert public_keys(s3, "restored") == public_keys(s3, "tonight")
        assert all(key.startswith(("images/", "original_images/")) for key in public_keys(s3, "restored"))
    assert page_before["status"] == [200, 200, 206, 200]
    assert page_before["article"]["title"] in page_before["feed"]
    assert json.loads(restored("shell", "-v", "0", "-c", PAGE).stdout) == page_before
    # The database's own settings, which pg_dump does not carry, are set again: no JIT compiling (content/0010).
    assert restored("shell", "-v", "0", "-c", JIT).stdout.strip() == "off"

    # A second restore into the site now restored is refused and changes nothing.
    refused = restored("restore", str(backup_dir), check=False)
    assert refused.returncode == 1
    assert "Nothing was restored: the database has tables already" in refused.stderr
    assert json.loads(restored("shell", "-v", "0", "-c", COUNTS).stdout) == before
