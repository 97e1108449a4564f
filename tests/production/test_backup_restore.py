"""The restore drill: last night's backup of a PostgreSQL site with its pictures on S3 (moto's server)
and its edition files, restored into a fresh database, bucket and data folder, is the same site."""

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
import json
from django.test import Client
from masthead.content.models import ArticlePage
article = ArticlePage.objects.live().order_by("pk").first()
api, feed = Client().get(f"/api/articles/{article.pk}/"), Client().get("/feed/")
print(json.dumps({"status": [api.status_code, feed.status_code], "article": api.json(), "feed": feed.text}))
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


def site(database: str, bucket: str, data_dir: Path, endpoint: str):
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


def bucket_files(endpoint: str, bucket: str) -> dict[str, str]:
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="testing", aws_secret_access_key="testing")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return {item["Key"]: item["ETag"] for page in pages for item in page.get("Contents", [])}


def edition_files(data_dir: Path) -> dict[str, bytes]:
    root = data_dir / "editions"
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def test_last_nights_backup_restores_into_a_fresh_database_and_bucket_as_the_same_site_and_only_there(
    s3, databases, tmp_path
):
    boto = boto3.client("s3", endpoint_url=s3, aws_access_key_id="testing", aws_secret_access_key="testing")
    for bucket in ("tonight", "restored"):
        boto.create_bucket(Bucket=bucket)
    tonight = site(databases[0], "tonight", tmp_path / "tonight", s3)
    tonight("migrate", "--noinput")
    tonight("load_demo", "--articles", "4", "--issues", "1")
    tonight(
        "shell",
        "-v",
        "0",
        "-c",
        "from tests.conftest import subscribe; from django.contrib.auth import get_user_model; "
        "[subscribe(get_user_model().objects.create_user(n, f'{n}@example.com', 'pw')) for n in ('sam', 'sue')]",
    )
    before = json.loads(tonight("shell", "-v", "0", "-c", COUNTS).stdout)
    page_before = json.loads(tonight("shell", "-v", "0", "-c", PAGE).stdout)
    backup_dir = tmp_path / "backups" / "last-night"

    said = tonight("backup", "--output", str(backup_dir)).stdout

    assert "Backed up to" in said
    restored = site(databases[1], "restored", tmp_path / "restored", s3)
    said = restored("restore", str(backup_dir)).stdout
    assert "Restored" in said

    after = json.loads(restored("shell", "-v", "0", "-c", COUNTS).stdout)
    assert after == before
    assert before["articles"] >= 4 and before["subscriptions"] == 2 and before["payments"] == 2
    assert bucket_files(s3, "restored") == bucket_files(s3, "tonight")
    assert len(bucket_files(s3, "restored")) >= before["pictures"]
    assert edition_files(tmp_path / "restored") == edition_files(tmp_path / "tonight")
    assert {Path(name).suffix for name in edition_files(tmp_path / "restored")} == {".epub", ".pdf"}
    assert page_before["status"] == [200, 200]
    assert page_before["article"]["title"] in page_before["feed"]
    assert json.loads(restored("shell", "-v", "0", "-c", PAGE).stdout) == page_before

    # A second restore into the site now restored is refused and changes nothing.
    refused = restored("restore", str(backup_dir), check=False)
    assert refused.returncode == 1
    assert "Nothing was restored: the database has tables already" in refused.stderr
    assert json.loads(restored("shell", "-v", "0", "-c", COUNTS).stdout) == before
