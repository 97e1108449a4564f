"""Pictures from an export's folder (Ghost's content/images, WordPress's wp-content/uploads).

An old URL is looked up under the folder the publisher names, never outside it; the file must be a
picture Pillow can read. The same file imported twice is one image (Wagtail's file hash).
A picture's file is written to storage inside its batch's transaction; if the batch (or the record)
is rolled back, `StoredFiles` deletes the file again, so no file outlives the row naming it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from masthead.content.models import CreditedImage

MAX_IMAGE_BYTES = 40 * 1024 * 1024
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}


class StoredFiles:
    """Files an import wrote to storage whose rows are not committed yet."""

    def __init__(self):
        self.pending: list[tuple[object, str]] = []

    def add(self, storage, name: str) -> None:
        self.pending.append((storage, name))

    @contextmanager
    def deleted_if_rolled_back(self) -> Iterator[None]:
        """Wraps a transaction: files stored inside it are deleted if it raises (their rows were rolled back)."""
        mark = len(self.pending)
        try:
            yield
        except BaseException:  # Ctrl-C in the middle of a batch rolls it back too
            for storage, name in self.pending[mark:]:
                storage.delete(name)
            del self.pending[mark:]
            raise

    def committed(self) -> None:
        """The outermost transaction committed: the files are the rows' for good."""
        self.pending.clear()


class ImageFolder:
    """Finds an old picture URL's file under `root` (the part of the URL after `marker`) and imports it."""

    def __init__(self, root: Path | None, marker: str, *, dry_run: bool = False):
        self.root = root.resolve() if root else None
        self.marker = marker
        self.dry_run = dry_run
        self.imported = 0
        self.reused = 0
        self.missing: list[str] = []
        self.unreadable: list[str] = []
        self.stored = StoredFiles()

    def path_for(self, url: str) -> Path | None:
        """The file for an old URL, only if it lies inside the folder."""
        if self.root is None or self.marker not in url:
            return None
        relative = unquote(urlparse(url.split(self.marker, 1)[1]).path)
        parts = PurePosixPath(relative).parts
        if not parts or any(part in ("..", "") or part.startswith("/") for part in parts):
            return None
        candidate = self.root.joinpath(*parts).resolve()
        if not candidate.is_relative_to(self.root) or not candidate.is_file():
            return None
        if candidate.suffix.lower() not in IMAGE_SUFFIXES:
            return None
        return candidate

    def image_for(self, url: str, *, alt: str, credit: str, title: str) -> CreditedImage | None:
        """The imported picture for `url`, or None when its file is absent or not a picture."""
        path = self.path_for(url)
        if path is None:
            self.missing.append(url)
            return None
        data = path.read_bytes() if path.stat().st_size <= MAX_IMAGE_BYTES else b""
        size = picture_size(data)
        if size is None:
            self.unreadable.append(url)
            return None
        digest = hashlib.sha1(data).hexdigest()  # noqa: S324 (Wagtail's own file hash, not for security)
        existing = CreditedImage.objects.filter(file_hash=digest).first()
        if existing is not None:
            self.reused += 1
            if credit and not existing.credit:
                existing.credit = credit[:255]
                existing.save(update_fields=["credit"])
            return existing
        self.imported += 1
        if self.dry_run:
            return None  # no file is written in a dry run; the count above says what would be
        image = CreditedImage(title=(title or path.stem)[:255], description=alt[:255], credit=credit[:255])
        image.file.save(path.name, ContentFile(data), save=False)
        self.stored.add(image.file.storage, image.file.name)
        image.width, image.height = size
        image.file_size = len(data)
        image.file_hash = digest
        image.save()
        return image


def picture_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a picture Pillow can read whole, or None for anything else."""
    if not data:
        return None
    try:
        with Image.open(BytesIO(data)) as picture:
            picture.verify()
            return picture.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
