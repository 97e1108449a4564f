"""Transcripts of narrations: cues (what was written, and when it is heard), WebVTT, and HTML.

The cues hold the text as the writer wrote it, not the narrator's rewriting ("$60 billion", not
"60 billion dollars"), timed by the narration itself, sentence by sentence. When a segment's
written and spoken sentences do not pair up (an abbreviation's full stop, say, splits the
written text but not the spoken one), the whole segment is one cue.
"""

from __future__ import annotations

from itertools import groupby

from django.template.loader import render_to_string
from django.utils.html import escape

from masthead.audio.synthesis import spoken_sentences


def transcript_cues(segment, block: int, timings: list[tuple[int, int]]) -> list[dict]:
    """The cues of one script segment, given when each of its spoken sentences started and ended."""
    if not timings:
        return []
    written = spoken_sentences(segment.text)
    if len(written) != len(timings):
        written, timings = [segment.text], [(timings[0][0], timings[-1][1])]
    return [
        {"start_ms": start, "end_ms": end, "text": text, "block": block}
        for text, (start, end) in zip(written, timings, strict=True)
    ]


def timestamp(milliseconds: int) -> str:
    """WebVTT's "hh:mm:ss.ttt"."""
    seconds, millis = divmod(milliseconds, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def webvtt(cues: list[dict]) -> str:
    """The cues as a WebVTT file (cue text escaped: "<", "&" and "-->" would break a player's parser)."""
    lines = ["WEBVTT", ""]
    for number, cue in enumerate(cues, start=1):
        text = escape(" ".join(cue["text"].split())).replace("--&gt;", "–&gt;")
        lines += [str(number), f"{timestamp(cue['start_ms'])} --> {timestamp(cue['end_ms'])}", text, ""]
    return "\n".join(lines)


def transcript_html(narration) -> str:
    """The transcript as a small HTML page: the title, then each paragraph as written, in order."""
    blocks = [
        " ".join(cue["text"] for cue in cues) for _, cues in groupby(narration.cues, key=lambda cue: cue["block"])
    ]
    return render_to_string(
        "audio/transcript.html",
        {"title": narration.article.title, "heading": blocks[0] if blocks else "", "paragraphs": blocks[1:]},
    )
