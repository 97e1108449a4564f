"""A gift purchase killed after the gateway took the money, and tried again: the giver is charged once.

The purchase runs as its own process (`tests.gifts.gift_purchase`) against a copy of the test
database (`shared_database`) and is killed with SIGKILL the instant the sandbox gateway has
charged the card, before the gift is recorded: no `finally`, no rollback handler, no claim given
back. The giver's next press of Pay is told the payment is still being made while the dead
request's claim lasts; once it has lapsed, Pay charges under the same idempotency key, so the
gateway answers with the first charge and the gift is recorded paid, once.
"""

from __future__ import annotations

import signal

from tests.ledger.conftest import shared_database  # noqa: F401 - the crash tests' database copy

TOKEN = "crash-after-charge"  # the gift's idempotency key is gift:crash-after-charge


def gift_charges(db) -> list[tuple]:
    return db.rows(
        "SELECT id, succeeded, amount_cents, currency FROM subscriptions_sandboxcharge "
        "WHERE idempotency_key = 'gift:crash-after-charge'"
    )


def gift_row(db) -> tuple:
    [row] = db.rows(
        "SELECT payment_status, charge_ref, amount_cents, currency FROM gifts_gift "
        "WHERE idempotency_key = 'gift:crash-after-charge'"
    )
    return row


def test_a_gift_purchase_killed_after_the_charge_and_paid_again_charges_the_giver_once(shared_database):  # noqa: F811
    db = shared_database
    killed = db.popen("-m", "tests.gifts.gift_purchase", TOKEN, "--dies-after-the-charge")
    killed.wait(timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.communicate()
    [(charge_id, succeeded, amount, currency)] = gift_charges(db)
    assert succeeded
    assert gift_row(db) == ("open", "", amount, currency), "the money was taken and the gift not yet recorded"

    at_once = db.python("-m", "tests.gifts.gift_purchase", TOKEN)
    assert "still being made" in at_once.stdout
    later = db.python("-m", "tests.gifts.gift_purchase", TOKEN, "--minutes-later", "6")
    assert later.stdout.startswith("bought: G-")
    again = db.python("-m", "tests.gifts.gift_purchase", TOKEN, "--minutes-later", "7")
    assert again.stdout == later.stdout

    assert gift_charges(db) == [(charge_id, succeeded, amount, currency)], "one charge at the gateway"
    assert gift_row(db) == ("paid", f"sandbox_ch_{charge_id}", amount, currency)
    paid_events = db.scalar(
        "SELECT count(*) FROM gifts_giftevent e JOIN gifts_gift g ON g.id = e.gift_id "
        "WHERE g.idempotency_key = 'gift:crash-after-charge' AND e.kind = 'paid'"
    )
    assert paid_events == 1
