"""Notice when a render reads anything about the person, so it is never shared with an audience.

A page stored for an audience ("signed-in subscribers") must not carry one subscriber's name, saved
place or token. Rather than trusting every view and template to say so, the request's user and
session are watched while the view runs: reading the user beyond `is_authenticated`, or any session
value other than the login's own keys, or showing a flash message marks the response as the
person's own, and the page cache leaves it out. A new template that greets the reader by name is
therefore uncached, never leaked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils.functional import LazyObject

SHARED_USER_ATTRIBUTES = frozenset({"is_authenticated", "is_anonymous"})
# The login's own keys say who is signed in, which the audience already reflects; messages are
# checked by what was shown (see `showed_messages`).
SHARED_SESSION_KEYS = frozenset({SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY, "_messages"})
SHARED_SESSION_ATTRIBUTES = frozenset({"session_key", "accessed", "modified", "is_empty", "get_expiry_age"})
KEYED_SESSION_METHODS = frozenset({"get", "pop", "setdefault"})


class _Watched(LazyObject):
    """Stands in for a wrapped object; `isinstance` and every attribute still reach the real one."""

    def __init__(self, wrapped, touched: Callable[[str], None]):
        self.__dict__["_wrapped"] = wrapped
        self.__dict__["_touched"] = touched

    def _setup(self):  # pragma: no cover - always set up in __init__
        raise AssertionError("watched objects are created wrapped")

    def __setattr__(self, name, value):
        self._touched(f"set {name}")
        setattr(self._wrapped, name, value)

    def __str__(self):
        self._touched("str")
        return str(self._wrapped)

    def __eq__(self, other):
        self._touched("compare")
        return self._wrapped == other

    def __ne__(self, other):
        self._touched("compare")
        return self._wrapped != other

    def __hash__(self):
        self._touched("hash")
        return hash(self._wrapped)


class WatchedUser(_Watched):
    def __getattr__(self, name):
        if name not in SHARED_USER_ATTRIBUTES:
            self._touched(f"user.{name}")
        return getattr(self._wrapped, name)


class WatchedSession(_Watched):
    def _key(self, key) -> None:
        if key not in SHARED_SESSION_KEYS:
            self._touched(f"session[{key!r}]")

    def __getattr__(self, name):
        value = getattr(self._wrapped, name)
        if name in KEYED_SESSION_METHODS:

            def keyed(key, *args, **kwargs):
                self._key(key)
                return value(key, *args, **kwargs)

            return keyed
        if name not in SHARED_SESSION_ATTRIBUTES:
            self._touched(f"session.{name}")
        return value

    def __getitem__(self, key):
        self._key(key)
        return self._wrapped[key]

    def __contains__(self, key):
        self._key(key)
        return key in self._wrapped

    def __setitem__(self, key, value):
        self._touched(f"session[{key!r}] =")
        self._wrapped[key] = value

    def __delitem__(self, key):
        self._touched(f"del session[{key!r}]")
        del self._wrapped[key]

    def __iter__(self):
        self._touched("iter(session)")
        return iter(self._wrapped)


def showed_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return bool(storage is not None and (getattr(storage, "_loaded_data", None) or storage._queued_messages))


@contextlib.contextmanager
def watching_personal_reads(request, *, watch_user: bool = True, watch_session: bool = True) -> Iterator[list[str]]:
    """While the block runs, the request's user and session are watched; yields what was read.

    An anonymous user or an empty new session (no cookie came) has nothing personal to read.
    """
    read: list[str] = []
    user = request.__dict__.get("user") if watch_user else None
    session = request.__dict__.get("session") if watch_session else None
    if user is not None:
        request.user = WatchedUser(user, read.append)
    if session is not None:
        request.session = WatchedSession(session, read.append)
    try:
        yield read
    finally:
        if user is not None:
            request.user = user
        if session is not None:
            request.session = session
        if showed_messages(request):
            read.append("messages")
