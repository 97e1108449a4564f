"""The billing folder's clock and clients: every billing test starts on launch day (`pages.START`), time frozen.

The personas (reader Rita, subscriber Sam, print subscriber Pat, lapsed Lou, ...) are tests/conftest.py's,
made here on the frozen clock; their `<persona>_client` (and `anonymous`) is a `ReaderBrowser`, whose
every request commits, so the emails a page sends are in the outbox when it answers.

`at_once` runs requests on threads released together, for races (double clicks, several tabs).
"""

from __future__ import annotations

import pytest
import time_machine

from masthead.subscriptions.services import renew_due_subscriptions, send_renewal_reminders
from tests.billing.pages import START, ReaderBrowser
from tests.personas import committed


@pytest.fixture(autouse=True)
def clock():
    """Frozen time on launch day; tests move it with `clock.move_to(...)` or `clock.shift(...)`."""
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client_class(db) -> type[ReaderBrowser]:
    """Readers browse with a client whose every request commits."""
    return ReaderBrowser


@pytest.fixture(autouse=True)
def long_sessions(settings):
    # The clock jumps months ahead; a logged-in reader must not be logged out by the jump.
    settings.SESSION_COOKIE_AGE = 10 * 365 * 24 * 3600


@pytest.fixture
def run_renewals():
    """Run the renewal job at the clock's time, as the scheduler would; returns its outcomes."""

    def run() -> dict[str, int]:
        with committed():
            return renew_due_subscriptions()

    return run


@pytest.fixture
def run_reminders():
    """Run the renewal-reminder job at the clock's time; returns how many reminders went out."""

    def run() -> int:
        with committed():
            return send_renewal_reminders()

    return run
