"""Which audience a signed-in reader belongs to, answered from one cache read before sessions or auth run.

The page cache keeps one copy of a page per audience (what the reader's entitlements allow, as
`access` decides), not per person. A full request works out the reader's audience and remembers
it under a hash of the session cookie; later requests with that cookie find it and are served the
audience's copy without touching the session, the user or the database.

A record is trusted only while the reader's generation is the one it was made under: anything that
can change what a reader may read (their subscription, their account, their groups) calls
`forget_reader`, which draws a new generation, so their very next request is decided afresh. A
record also ends when the reader's access would lapse by itself (`until`), and after
RECORD_SECONDS at most, so a session ended on the server is not trusted for long. Logging in or
out changes the session cookie, which changes the record's key.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import transaction

RECORD_SECONDS = 300
# Outlives every record made under it; one that expired only sends its reader through a full render.
GENERATION_SECONDS = 24 * 3600
NO_SHARED_COPY = ""  # the audience of a reader whose pages are theirs alone (staff, a metered reader)


@dataclass(frozen=True)
class ReaderRecord:
    audience: str
    user_id: int
    generation: str
    network: int | None = None  # the institution whose network the request came from, when decided


def _records():
    # The default cache, not the page cache: clearing the pages must not send every signed-in reader
    # through a full render at once (they would all render the same missing pages).
    return caches["default"]


def session_digest(request) -> str | None:
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    return hashlib.sha256(cookie.encode()).hexdigest() if cookie else None


def record_key(digest: str) -> str:
    return f"reader:{digest}"


def generation_key(user_id: int) -> str:
    return f"reader-generation:{user_id}"


def remembered_record(request) -> ReaderRecord | None:
    digest = session_digest(request)
    return _records().get(record_key(digest)) if digest else None


def is_current(record: ReaderRecord) -> bool:
    generation = _records().get(generation_key(record.user_id))
    return generation is not None and generation == record.generation


def current_generation(user_id: int) -> str:
    """The reader's generation, drawn now if they have none; read it before deciding their audience."""
    records = _records()
    generation = records.get(generation_key(user_id))
    if generation is None:
        records.add(generation_key(user_id), secrets.token_hex(8), GENERATION_SECONDS)
        generation = records.get(generation_key(user_id))
    return generation


def remember_audience(
    request, *, user_id: int, audience: str, generation: str, until: float | None, network: int | None = None
) -> None:
    """Remember this session's audience, unless the reader changed while it was being decided."""
    digest = session_digest(request)
    if digest is None:
        return
    seconds = RECORD_SECONDS if until is None else min(RECORD_SECONDS, int(until - time.time()))
    if seconds < 1 or _records().get(generation_key(user_id)) != generation:
        return
    _records().set(record_key(digest), ReaderRecord(audience, user_id, generation, network), seconds)


def forget_reader(user_id: int | None) -> None:
    """The reader's audience must be decided afresh: now, and again once the change commits.

    Now, for the rest of this transaction; on commit, because a request that read the rows as
    they were before the commit may have remembered the old audience meanwhile.
    """
    if user_id is None:
        return
    _new_generation(user_id)
    transaction.on_commit(lambda: _new_generation(user_id))


def _new_generation(user_id: int) -> None:
    _records().set(generation_key(user_id), secrets.token_hex(8), GENERATION_SECONDS)


def forget_session(request, **kwargs) -> None:
    """On logout: this session's record goes with it (the cookie it was kept under may have been copied)."""
    if digest := session_digest(request):
        _records().delete(record_key(digest))
