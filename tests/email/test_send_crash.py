"""A mailing killed midway (SIGKILL, twice or more) and run again reaches every recipient once, and nobody twice.

`manage.py send_mailing` runs as its own process against a copy of the test database (see
`shared_database`) and sends into an SMTP server in this process. The test kills it once some, but
not all, copies are out, aiming at least one kill at the worst instant: a copy handed to the server
and not yet recorded as sent. That copy may or may not have arrived; the next run marks it
`uncertain` and never sends it again, so no reader ever has two copies. A graceful stop (SIGTERM)
finishes the copy at hand, so after it every recipient has exactly one.
"""

from __future__ import annotations

import signal
import time
from collections import Counter

import pytest

from tests.email.smtp_server import SMTPServer

RECIPIENTS = 500
LEASE_SECONDS = 2


@pytest.fixture
def mail_env(shared_database):
    with SMTPServer() as server:
        shared_database.env.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(server.port),
            SITE_URL="http://testserver",
            # A killed worker's claim runs out this soon, so the next run may carry on at once.
            NEWSLETTER_SEND_LEASE_SECONDS=str(LEASE_SECONDS),
        )
        yield shared_database, server


def sent(db) -> int:
    return db.scalar("SELECT count(*) FROM newsletters_delivery WHERE status = 'sent'")


def handing_over(db) -> int:
    return db.scalar("SELECT count(*) FROM newsletters_delivery WHERE status = 'sending'")


def start_and_stop(db, send_id: int, *, once_sent: int, how: int) -> bool:
    """Run the mailing; once `once_sent` copies are out, stop it with `how`. Returns whether it stopped mid-handover."""
    run = db.popen("manage.py", "send_mailing", str(send_id))
    deadline = time.monotonic() + 120
    while sent(db) < once_sent:
        if run.poll() is not None:
            pytest.fail(f"the mailing ended before it could be stopped: {run.communicate()}")
        assert time.monotonic() < deadline, "the mailing made no progress"
        time.sleep(0.01)
    mid_handover = False
    if how == signal.SIGKILL:
        # Aim for the instant a copy is with the server and not yet recorded: freeze, look, kill there if so.
        for _ in range(500):
            run.send_signal(signal.SIGSTOP)
            if handing_over(db):
                mid_handover = True
                break
            run.send_signal(signal.SIGCONT)
            time.sleep(0.002)
    run.send_signal(how)
    if how == signal.SIGKILL:
        run.send_signal(signal.SIGCONT)
    run.wait(timeout=60)
    if how == signal.SIGKILL:
        time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's claim runs out
    return mid_handover


def copies_by_recipient(server) -> Counter:
    return Counter(recipient.lower() for message in server.messages for recipient in message.recipients)


def test_a_mailing_killed_midway_and_resumed_sends_nobody_two_copies(mail_env):
    db, server = mail_env
    send_id = int(db.python("-m", "tests.email.mailing_setup", str(RECIPIENTS)).stdout.split()[-1])

    kills = [
        start_and_stop(db, send_id, once_sent=int(RECIPIENTS * share), how=signal.SIGKILL) for share in (0.2, 0.45)
    ]
    if not any(kills):
        kills.append(start_and_stop(db, send_id, once_sent=int(RECIPIENTS * 0.7), how=signal.SIGKILL))
    assert sent(db) < RECIPIENTS, "each run must be killed midway"
    assert any(kills), "no kill landed while a copy was being handed over; the proof needs one"

    finish = db.python("manage.py", "send_mailing", str(send_id))
    assert "finished" in finish.stdout
    again = db.python("manage.py", "send_mailing", str(send_id))
    assert "0 " not in again.stdout and "nothing to do" in again.stdout

    statuses = dict(db.rows("SELECT status, count(*) FROM newsletters_delivery GROUP BY status"))
    uncertain = statuses.get("uncertain", 0)
    assert statuses.get("sent", 0) + uncertain == RECIPIENTS
    assert 1 <= uncertain <= len(kills), "a kill leaves at most the one copy it was handing over uncertain"
    copies = copies_by_recipient(server)
    assert max(copies.values()) == 1, "nobody gets two copies"
    sent_to = {
        email.lower()
        for (email,) in db.rows(
            "SELECT r.email FROM newsletters_delivery d JOIN newsletters_recipient r ON r.id = d.recipient_id "
            "WHERE d.status = 'sent'"
        )
    }
    assert all(copies[email] == 1 for email in sent_to), "every copy recorded as sent arrived, once"
    assert len(copies) >= RECIPIENTS - uncertain
    message_ids = Counter(message.message["Message-ID"] for message in server.messages)
    assert max(message_ids.values()) == 1


def test_a_mailing_stopped_gracefully_and_resumed_reaches_every_recipient_exactly_once(mail_env):
    db, server = mail_env
    send_id = int(db.python("-m", "tests.email.mailing_setup", str(RECIPIENTS)).stdout.split()[-1])

    start_and_stop(db, send_id, once_sent=RECIPIENTS // 3, how=signal.SIGTERM)
    assert sent(db) < RECIPIENTS
    db.python("manage.py", "send_mailing", str(send_id))

    copies = copies_by_recipient(server)
    assert len(copies) == RECIPIENTS and set(copies.values()) == {1}
    assert db.scalar("SELECT count(*) FROM newsletters_delivery WHERE status = 'sent'") == RECIPIENTS
