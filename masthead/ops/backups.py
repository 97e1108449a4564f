"""Backups that restore: the database (a consistent pg_dump, or SQLite's online backup), the media
storage (S3 or disk), and the narrations' and editions' files (STORAGES["audio"] and ["editions"]: disk
folders, or private objects in the bucket), with a manifest of counts and checksums.

The database is dumped first and the files copied after it, so every file a dumped row names was
there to copy, except one replaced (and removed) in between; `restore` reports such a file as
missing and the next retry of narrations and edition builds makes it again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import mimetypes
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage, storages
from django.db import connection

from masthead.core.database_settings import turn_jit_off
from masthead.core.private_files import save_whole

MANIFEST = "manifest.json"
# The gated files' storages; each is a folder of the backup named like it.
GATED_STORAGES = ("audio", "editions")


class RestoreRefused(Exception):
    """The target is not empty (or the backup is incomplete): nothing was changed."""


@dataclass
class Summary:
    folder: Path
    counts: dict[str, int]
    files: int


def site_counts() -> dict[str, int]:
    """What a restored site must have as many of: articles, subscriptions, payments, issues, readers, pictures."""
    from django.contrib.auth import get_user_model

    from masthead.content.models import ArticlePage, CreditedImage
    from masthead.editions.models import Issue
    from masthead.subscriptions.models import Payment, Subscription

    return {
        "articles": ArticlePage.objects.count(),
        "issues": Issue.objects.count(),
        "subscriptions": Subscription.objects.count(),
        "payments": Payment.objects.count(),
        "users": get_user_model().objects.count(),
        "pictures": CreditedImage.objects.count(),
    }


def _pg_tool(name: str) -> str:
    return str(Path(settings.PG_BIN_DIR) / name) if settings.PG_BIN_DIR else name


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        PGHOST=str(db.get("HOST") or ""),
        PGPORT=str(db.get("PORT") or ""),
        PGUSER=str(db.get("USER") or ""),
        PGDATABASE=str(db["NAME"]),
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _storage_names(
    storage: Storage = default_storage, directory: str = "", *, skip: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """Every file in a storage, walking its folders (works on disk and on S3); `skip`: top folders left out."""
    try:
        folders, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [f"{directory}/{name}" if directory else name for name in files]
    for folder in folders:
        if not directory and folder in skip:
            continue
        names += _storage_names(storage, f"{directory}/{folder}" if directory else folder)
    return names


def _gated_names(kind: str) -> list[str]:
    """The files of a gated storage, without the hidden partial files of a save under way on disk."""
    return [name for name in _storage_names(storages[kind]) if not Path(name).name.startswith(".")]


def _gated_folders_in_media() -> set[str]:
    """The media bucket's top folders that are gated storages (GATED_FILES_STORAGE=s3), backed up as those."""
    bucket = getattr(default_storage, "bucket_name", None)
    return {
        storages[kind].location.strip("/")
        for kind in GATED_STORAGES
        if storages[kind].remote and bucket and storages[kind].bucket_name == bucket
    }


def _where(storage: Storage) -> str:
    if storage.remote:
        return f"s3://{storage.bucket_name}/{storage.location}/"
    return storage.location


def backup(target: Path) -> Summary:
    """Write the database, the media and the job files into the new folder `target`, with a manifest."""
    target.mkdir(parents=True)
    counts = site_counts()
    if _is_postgres():
        subprocess.run(  # noqa: S603 (our own settings name the tool and the database)
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target / "database.dump")],
            env=_pg_env(),
            check=True,
        )
        database = "database.dump"
    else:
        connection.ensure_connection()
        with sqlite3.connect(target / "database.sqlite3") as copy:
            connection.connection.backup(copy)
        database = "database.sqlite3"
    files: dict[str, str] = {}
    for name in _storage_names(skip=_gated_folders_in_media()):
        path = target / "media" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, path.open("wb") as copy:
            shutil.copyfileobj(source, copy)
        files[f"media/{name}"] = _sha256(path)
    for kind in GATED_STORAGES:
        for name in sorted(_gated_names(kind)):
            path = target / kind / name
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with path.open("wb") as copy:
                    for block in storages[kind].stream(name):
                        copy.write(block)
            except FileNotFoundError:
                path.unlink(missing_ok=True)
                continue  # replaced by a newer narration or build while we copied
            files[f"{kind}/{name}"] = _sha256(path)
    manifest = {
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": database,
        "counts": counts,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return Summary(target, counts, len(files))


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore(source: Path) -> Summary:
    """Load a backup into an empty database, storage and file folders; refuses anything else."""
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise RestoreRefused(f"{source} has no {MANIFEST}: not a complete backup")
    manifest = json.loads(manifest_path.read_text())
    if not _database_is_empty():
        raise RestoreRefused("the database has tables already: restore goes into an empty database")
    if _storage_names():
        raise RestoreRefused("the media storage has files already: restore goes into an empty bucket")
    for kind in GATED_STORAGES:
        if _gated_names(kind):
            raise RestoreRefused(f"{_where(storages[kind])} has files already: restore goes into empty folders")
    for relative, digest in manifest["files"].items():
        if _sha256(source / relative) != digest:
            raise RestoreRefused(f"{relative} does not match its checksum: the backup is damaged")
    if manifest["database"] == "database.dump":
        if not _is_postgres():
            raise RestoreRefused("this backup is of PostgreSQL; DATABASE_URL names another database")
        connection.close()
        subprocess.run(  # noqa: S603 (our own settings name the tool and the database)
            [
                _pg_tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                str(settings.DATABASES["default"]["NAME"]),
                str(source / "database.dump"),
            ],
            env=_pg_env(),
            check=True,
        )
        turn_jit_off(connection)  # a setting of the database, which pg_dump does not carry
    else:
        if _is_postgres():
            raise RestoreRefused("this backup is of SQLite; DATABASE_URL names PostgreSQL")
        connection.ensure_connection()
        with sqlite3.connect(source / "database.sqlite3") as backup_copy:
            backup_copy.backup(connection.connection)
    for relative in manifest["files"]:
        tree, name = relative.split("/", 1)
        if tree == "media":
            with (source / relative).open("rb") as handle:
                default_storage.save(name, File(handle, name=name))
        else:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            save_whole(storages[tree], name, source / relative, content_type=content_type)
    return Summary(source, site_counts(), len(manifest["files"]))
