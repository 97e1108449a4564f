"""An issue's narrations together: one zip of MP3s in the issue's order, and the playlist the player follows."""

from __future__ import annotations

import datetime
import hashlib
import re
import tempfile
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from masthead.audio import conf
from masthead.audio.models import ArticleNarration
from masthead.core.private_files import delete_quietly, save_whole

OLD_ZIPS_KEPT = datetime.timedelta(days=1)
ZIP_FOLDER = "issues"  # in the audio storage, beside the articles' folders of MP3s (named by article id)


@dataclass(frozen=True)
class IssueAudio:
    label: str  # "Vol. 3, No. 12"
    slug: str  # for file names: "volume-3-number-12"
    narrations: list[ArticleNarration]


def issue_audio(narrations: list[ArticleNarration]) -> IssueAudio | None:
    """The issue the narrations belong to (all from one issue, as queries.issue_narrations gives them)."""
    if not narrations:
        return None
    issue = narrations[0].article.issue_entry.issue
    return IssueAudio(
        label=f"Vol. {issue.volume}, No. {issue.number}",
        slug=f"volume-{issue.volume}-number-{issue.number}",
        narrations=narrations,
    )


def track_name(position: int, narration: ArticleNarration) -> str:
    """ "01 budget-talks-stall.mp3": numbered so any player keeps the issue's order."""
    title = slugify(narration.article.title)[:80] or f"article-{narration.article_id}"
    return f"{position:02d} {title}.mp3"


def zip_file_name(audio: IssueAudio) -> str:
    magazine = re.sub(r"-+", "-", slugify(settings.MAGAZINE_NAME)) or "magazine"
    return f"{magazine}-{audio.slug}-audio.zip"


def track_entry(position: int, narration: ArticleNarration) -> zipfile.ZipInfo:
    """The zip's entry for one MP3, dated when it was narrated (the storage may not keep file dates)."""
    narrated = timezone.localtime(narration.narrated_at or narration.updated_at)
    entry = zipfile.ZipInfo(track_name(position, narration), date_time=narrated.timetuple()[:6])
    entry.compress_type = zipfile.ZIP_STORED
    entry.external_attr = 0o644 << 16  # readable once unzipped (without it, unzip makes files no one may read)
    return entry


def stored_zip_name(audio: IssueAudio) -> str:
    """Where the zip of exactly these narrations is kept: named by their files, so a new narration names a new zip."""
    key = hashlib.sha256("|".join(narration.file_name for narration in audio.narrations).encode()).hexdigest()
    return f"{ZIP_FOLDER}/{audio.slug}-{key[:16]}.zip"


def ensure_stored_zip(audio: IssueAudio) -> str:
    """The stored zip of these narrations, written on the first download after any of them changed.

    Kept beside the MP3s, so a download is sent like one (by nginx where it sends them) instead of copying
    an issue's hundred megabytes through a web process each time. The issue's older zips go after a day.
    """
    storage = conf.audio_storage()
    name = stored_zip_name(audio)
    if storage.stat(name) is None:
        with tempfile.NamedTemporaryFile(suffix=".zip") as spool:
            write_zip(audio.narrations, spool)
            save_whole(storage, name, spool.name, content_type="application/zip")
        # Readers whose access lets them hear different parts of the issue have zips of their own, and a
        # download may be under way from an older one: only those a day old go.
        _, kept = storage.listdir(ZIP_FOLDER)
        for older in kept:
            if older.startswith(f"{audio.slug}-") and older.endswith(".zip") and f"{ZIP_FOLDER}/{older}" != name:
                found = storage.stat(f"{ZIP_FOLDER}/{older}")
                if found and timezone.now() - found.modified > OLD_ZIPS_KEPT:
                    delete_quietly(storage, f"{ZIP_FOLDER}/{older}")
    return name


def write_zip(narrations: list[ArticleNarration], spool) -> None:
    """Write the zip of these narrations' MP3s into the open file `spool` (stored: MP3s do not compress).

    On disk, not in memory: an issue's audio is a hundred megabytes or so.
    """
    storage = conf.audio_storage()
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
        for position, narration in enumerate(narrations, start=1):
            with archive.open(track_entry(position, narration), "w") as entry:
                for block in storage.stream(narration.file_name):
                    entry.write(block)
    spool.flush()
