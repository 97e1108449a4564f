"""An issue's narrations together: one zip of MP3s in the issue's order, and the playlist the player follows."""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from masthead.audio import conf
from masthead.audio.models import ArticleNarration


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


def write_zip(narrations: list[ArticleNarration]):
    """A temporary file holding the zip of these narrations' MP3s (stored: MP3s do not compress).

    Written to disk, not memory, since an issue's audio is a hundred megabytes or so; the caller
    streams it and closing it deletes it.
    """
    storage = conf.audio_storage()
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it once sent)
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
            for position, narration in enumerate(narrations, start=1):
                with archive.open(track_entry(position, narration), "w") as entry:
                    for block in storage.stream(narration.file_name):
                        entry.write(block)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool
