"""A renewal run killed midway (SIGKILL, twice or more) and run again charges every due subscription exactly once.

`manage.py renew_subscriptions` runs as a separate process against a copy of the test database
(see `shared_database`); the test watches the tables and kills the process once some, but not
all, subscriptions are renewed, aiming between a gateway charge and its ledger record (money
taken, ledger not yet told) and killing again until one kill has landed there. Then the next run
must finish the job without charging anyone twice.
"""

from __future__ import annotations

import signal
import time
from collections import Counter, defaultdict

import pytest

DUE = 1500  # a few seconds of renewals on an idle machine: time enough to kill the run twice
PRICE_CENTS = 900  # digital-monthly, the plan the due subscribers are on


def renewed(db) -> int:
    return db.scalar("SELECT count(*) FROM subscriptions_payment WHERE status = 'succeeded'")


def charged_but_not_recorded(db) -> int:
    """Charges the gateway made that the ledger has not recorded yet: a renewal between its two transactions."""
    charges = db.scalar("SELECT count(*) FROM subscriptions_sandboxcharge")
    return charges - renewed(db)


def run_renewals_and_kill(db, *, once_renewed: int) -> int:
    """Start a renewal run; once `once_renewed` payments have succeeded, SIGKILL it, preferably mid-renewal.

    Returns how many charges the kill left unrecorded (the hardest instant: money taken, ledger not told).
    """
    run = db.popen("manage.py", "renew_subscriptions")
    deadline = time.monotonic() + 120
    while renewed(db) < once_renewed:
        if run.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {run.communicate()}")
        assert time.monotonic() < deadline, "the renewal run made no progress"
        time.sleep(0.01)
    # Aim the kill between a charge and its record: freeze the run, look, and kill it frozen if the
    # moment is right; otherwise let it go on a little and look again.
    for _ in range(500):
        run.send_signal(signal.SIGSTOP)
        if charged_but_not_recorded(db):
            break
        run.send_signal(signal.SIGCONT)
        time.sleep(0.003)
    run.kill()
    run.wait()
    return charged_but_not_recorded(db)


def test_renewal_run_killed_midway_then_run_again_charges_each_due_subscription_once(shared_database):
    db = shared_database
    db.python("-m", "tests.ledger.due_subscriptions", str(DUE))
    assert db.scalar("SELECT count(*) FROM subscriptions_subscription") == DUE

    # Kill at least twice, and again (up to four times) until a kill has caught a charge unrecorded.
    unrecorded, progress = [], [0]
    for share in (0.2, 0.4, 0.6, 0.8):
        if len(unrecorded) >= 2 and any(unrecorded):
            break
        unrecorded.append(run_renewals_and_kill(db, once_renewed=int(DUE * share)))
        progress.append(renewed(db))
    assert progress == sorted(set(progress)) and progress[-1] < DUE, f"each run must be killed midway: {progress}"
    assert any(unrecorded), "no kill landed between a charge and its record; the proof needs one"

    finish = db.python("manage.py", "renew_subscriptions")
    assert "renewed" in finish.stdout
    again = db.python("manage.py", "renew_subscriptions")
    assert "Renewals: nothing due." in again.stdout

    subscriptions = {
        pk: (status, period_start)
        for pk, status, period_start in db.rows(
            "SELECT id, status, current_period_start FROM subscriptions_subscription"
        )
    }
    payments = defaultdict(list)
    for subscription_id, status, period_start, key, amount in db.rows(
        "SELECT subscription_id, status, period_start, idempotency_key, amount_cents FROM subscriptions_payment"
    ):
        payments[subscription_id].append((status, period_start, key, amount))
    charges = db.rows("SELECT idempotency_key, succeeded, amount_cents, customer_ref FROM subscriptions_sandboxcharge")

    # The ledger: one succeeded payment per subscription, for the period that was due, nothing pending.
    assert len(subscriptions) == DUE
    for pk, (status, period_start) in subscriptions.items():
        assert status == "active", pk
        [(payment_status, paid_from, key, amount)] = payments[pk]
        assert (payment_status, paid_from, amount) == ("succeeded", period_start, PRICE_CENTS), pk
        assert key.startswith(f"renewal:{pk}:"), key

    # The gateway: one successful charge per subscriber, each the ledger's payment, none unrecorded.
    assert len(charges) == DUE
    assert Counter(customer for *_, customer in charges).most_common(1)[0][1] == 1
    assert all(succeeded and amount == PRICE_CENTS for _, succeeded, amount, _ in charges)
    assert {key for key, *_ in charges} == {payment[0][2] for payment in payments.values()}

    assert db.scalar("SELECT count(*) FROM subscriptions_receipt") == DUE
