"""Storages for the files only the gated views hand out: narrations' MP3s and editions' EPUB and PDF files.

`settings.STORAGES["audio"]` and `["editions"]` name one of these (GATED_FILES_STORAGE, docs/deploy.md):
- `PrivateFileSystemStorage`: a folder of this machine named by a setting (AUDIO_ROOT, EDITIONS_ROOT), read when
  used so the test settings and tests can move it; nginx sends a file from an `internal` alias of that folder.
- `PrivateS3Storage` (masthead/core/private_s3.py: boto3 is loaded only where it is configured): private objects
  in the media bucket under a prefix of their own (`audio/`, `editions/`), so a worker machine writes what any web
  machine sends, with no shared disk; nginx sends a file from an `internal` location that proxies the bucket with a
  short-lived presigned URL the app names in X-Accel-Redirect.

Both store a file whole or not at all (a hidden partial file renamed into place; an S3 PUT, or a multipart upload
completed last), and answer the few questions delivery asks beyond Django's Storage: the file's size and date, a
stream of a byte range, and what to answer nginx.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage

logger = logging.getLogger(__name__)

BLOCK_SIZE = 64 * 1024


@dataclass(frozen=True)
class StoredFile:
    size: int
    modified: datetime.datetime


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under the folder `root_setting` names; `accel_prefix_setting` names nginx's `internal` alias of it."""

    remote = False

    def __init__(self, *, root_setting: str, accel_prefix_setting: str = "", **options):
        self.root_setting = root_setting
        self.accel_prefix_setting = accel_prefix_setting
        super().__init__(allow_overwrite=True, **options)  # a name is never changed: the row holds it

    # Read on every use (FileSystemStorage caches them): the test settings move the folders after settings.py ran.
    @property
    def base_location(self) -> str:
        return str(getattr(settings, self.root_setting))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Gated files have no public URL: only the gated views hand them out.")

    def _save(self, name: str, content) -> str:
        """Write a hidden partial file beside the final name, then rename: no one ever reads half a file."""
        final = Path(self.path(name))
        final.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
            # mkstemp makes 0600 files; the front server (another user) must read them as it did before.
            os.chmod(partial, self.file_permissions_mode or 0o644)
            os.replace(partial, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            raise
        return name

    def stat(self, name: str) -> StoredFile | None:
        try:
            found = os.stat(self.path(name))
        except FileNotFoundError:
            return None
        return StoredFile(found.st_size, datetime.datetime.fromtimestamp(found.st_mtime, tz=datetime.UTC))

    def stream(self, name: str, start: int = 0, length: int | None = None) -> Blocks:
        """The bytes from `start` (all, or `length`); raises FileNotFoundError now, not once streaming."""
        handle = open(self.path(name), "rb")  # noqa: SIM115 (closed by the generator)
        handle.seek(start)
        return Blocks(handle.read, handle.close, length)

    def open_whole(self, name: str):
        """A file object of the whole file, for FileResponse (which closes it); FileNotFoundError if missing."""
        return open(self.path(name), "rb")  # noqa: SIM115 (closed by the response)

    def accel_redirect(self, name: str) -> str:
        """X-Accel-Redirect: the file under nginx's `internal` alias of the folder."""
        return getattr(settings, self.accel_prefix_setting).rstrip("/") + "/" + quote(name)


class Blocks:
    """A file's bytes in blocks, up to `length`; closing it (as Django's responses do) closes the file."""

    def __init__(self, read, close, length: int | None):
        self.read, self.close, self.length = read, close, length

    def __iter__(self) -> Iterator[bytes]:
        left = self.length
        try:
            while left is None or left > 0:
                block = self.read(BLOCK_SIZE if left is None else min(BLOCK_SIZE, left))
                if not block:
                    return
                if left is not None:
                    left -= len(block)
                yield block
        finally:
            self.close()


def save_whole(storage: Storage, name: str, source, *, content_type: str) -> None:
    """Store `source` (bytes, or a path of this machine) under exactly `name`; on any failure nothing is left."""
    try:
        if isinstance(source, bytes):
            content = ContentFile(source, name=name)
            content.content_type = content_type
            stored = storage.save(name, content)
        else:
            with open(source, "rb") as handle:
                content = File(handle, name=name)
                content.content_type = content_type
                stored = storage.save(name, content)
    except BaseException:
        delete_quietly(storage, name)
        raise
    if stored != name:  # a storage that renames would leave the row naming another file
        delete_quietly(storage, stored)
        raise RuntimeError(f"{type(storage).__name__} stored {name!r} as {stored!r}")


def delete_quietly(storage: Storage, name: str) -> None:
    """Remove a file whose row no longer names it; a failure is logged, since the row is right either way."""
    try:
        storage.delete(name)
    except Exception:
        logger.exception("Could not remove %s from %s; it is left behind", name, type(storage).__name__)
