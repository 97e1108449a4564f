"""One way to run a background job that lives on a row: claim, lease, finish, fail with back-off.

A job row (a narration, an edition file, and what comes later) inherits `Job`. A worker claims it
with one conditional UPDATE, so two workers never run it at once; a claim older than the lease is
taken as abandoned (its worker died) and may be claimed again. The slow work runs outside any
transaction; `finish` installs the result only if the claim still holds, so a worker whose lease
ran out never overwrites its successor. `attempts` counts failures in a row: a failure waits
FIRST_RETRY_AFTER × 4^(attempts-1), and after MAX_ATTEMPTS the job gives up until asked again.
A long job stops at its next safe point when its worker is told to stop (`stop_when_asked`).
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import secrets
import signal
import threading
from collections.abc import Callable, Iterator

from django.db import models, transaction
from django.db.models import Q


class ClaimLost(Exception):
    """Another worker took the job over (our lease ran out): our result is thrown away."""


class Stopped(Exception):
    """The worker is being stopped (SIGTERM, Ctrl-C): the job hands its work back to run again elsewhere."""


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)  # a restart, a service manager's stop, Ctrl-C
# A worker's own word to the job it runs in another process (masthead/ops/rq_workers.py: RQ's warm shutdown,
# sent to the work horse): stop at a safe point. A horse ignores it unless its job can stop part-way.
STOP_AT_A_SAFE_POINT = signal.SIGRTMIN


@contextlib.contextmanager
def stop_when_asked() -> Iterator[Callable[[], None]]:
    """While a long job runs, a stop signal makes the yielded check raise Stopped: the job stops at its next
    safe point and hands its work back, where a worker would otherwise let it finish before exiting.

    Only the main thread receives signals: elsewhere the check never raises.
    """
    asked = threading.Event()

    def check() -> None:
        if asked.is_set():
            raise Stopped()

    if threading.current_thread() is not threading.main_thread():
        yield check
        return
    # An ignored signal stays ignored (an RQ work horse ignores Ctrl-C: its worker hears it).
    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    previous = {number: handler for number, handler in previous.items() if handler not in (signal.SIG_IGN, None)}
    if signal.getsignal(STOP_AT_A_SAFE_POINT) is not None:  # None: set outside Python, could not be put back
        previous[STOP_AT_A_SAFE_POINT] = signal.getsignal(STOP_AT_A_SAFE_POINT)
    deferred: list[int] = []

    def ask_to_stop(number, frame):
        # A second signal is not passed on: the job is stopping already, and a worker's "force" (db_worker
        # raises SystemExit on a second SIGTERM, which scripts/serve.sh's trap sends right after the first)
        # would cut its hand-back short.
        if asked.is_set():
            return
        asked.set()
        if number == STOP_AT_A_SAFE_POINT:  # the worker's own word: nothing else to tell
            return
        handler = previous[number]
        if callable(handler) and handler is not signal.default_int_handler:
            handler(number, frame)  # the worker's own: it exits once the job returns
            for replaced in previous:  # it set its next ones (RQ: a cold shutdown's, for SIGTERM and SIGINT)
                if signal.getsignal(replaced) is not ask_to_stop:
                    previous[replaced] = signal.getsignal(replaced)
                    signal.signal(replaced, ask_to_stop)
        else:  # the default (a horse's SIGTERM, Python's KeyboardInterrupt): acts once the work is handed back
            deferred.append(number)

    for number in previous:
        signal.signal(number, ask_to_stop)
    try:
        yield check
    finally:
        for number, handler in previous.items():
            if signal.getsignal(number) is ask_to_stop:
                signal.signal(number, handler)
        for number in deferred:
            signal.raise_signal(number)


class Job(models.Model):
    """The state of a job kept on its own row; subclasses add what the job makes."""

    QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
    STATUSES = [(QUEUED, "Queued"), (RUNNING, "Running"), (READY, "Ready"), (FAILED, "Failed")]
    # A claim older than this belongs to a worker that died; another may take the job over.
    LEASE = datetime.timedelta(minutes=30)
    MAX_ATTEMPTS = 5
    FIRST_RETRY_AFTER = datetime.timedelta(minutes=5)
    # What the failure message tells staff to do once the job has given up.
    GIVE_UP_HINT = "ask for it again"

    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED, db_index=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Failures in a row.")
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="When a failed job is tried again.")
    error = models.TextField(blank=True)

    class Meta:
        abstract = True

    def claim_is_stale(self, now: datetime.datetime) -> bool:
        """Whether the claim is older than the lease, so its worker is taken to have died."""
        return self.claimed_at is not None and now - self.claimed_at > self.LEASE

    @property
    def state_for_staff(self) -> str:
        """The job's state in a phrase the admin shows: what happened and what comes next."""
        if self.status != self.FAILED:
            return self.get_status_display()
        if self.next_attempt_at:
            return f"Failed {self.attempts} time{'s' if self.attempts != 1 else ''}; will try again"
        return f"Failed {self.attempts} time{'s' if self.attempts != 1 else ''}; gave up"


def claim(model: type[Job], pk: int, now: datetime.datetime) -> str | None:
    """Take the job unless a live worker holds it or its failure's back-off runs; returns our claim token, or None.

    A failed job is often asked for twice when its retry is due (the task enqueued for that moment, and
    the periodic sweep): whichever comes second must not try again at once, nor before the back-off ends.
    Asking for it afresh (`requeue`) clears the back-off.
    """
    token = secrets.token_hex(16)
    free = ~Q(status=Job.RUNNING) | Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - model.LEASE)
    free &= Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    taken = model.objects.filter(free, pk=pk).update(
        status=Job.RUNNING, claim_token=token, claimed_at=now, next_attempt_at=None
    )
    return token if taken else None


def finish(model: type[Job], pk: int, token: str, **fields) -> Job:
    """Save the job's result if our claim still holds (raises ClaimLost); returns the row as it was.

    Call inside the transaction that should also schedule clean-up of what the result replaces.
    """
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=pk)
        if row.claim_token != token:
            raise ClaimLost()
        previous = copy.copy(row)
        fields.update(status=Job.READY, claim_token="", claimed_at=None, attempts=0, error="", next_attempt_at=None)
        for name, value in fields.items():
            setattr(row, name, value)
        row.save(update_fields=[*fields, *(["updated_at"] if hasattr(row, "updated_at") else [])])
    return previous


def record_failure(model: type[Job], pk: int, token: str, error: BaseException, now: datetime.datetime):
    """Keep the error for staff and when to try again; returns that moment, or None when the job gives up."""
    attempts = model.objects.filter(pk=pk).values_list("attempts", flat=True).get() + 1
    retry_at = now + model.FIRST_RETRY_AFTER * 4 ** (attempts - 1) if attempts < model.MAX_ATTEMPTS else None
    message = f"{type(error).__name__}: {error}"
    if retry_at is None:
        message += f" (gave up after {attempts} attempts; {model.GIVE_UP_HINT})"
    model.objects.filter(pk=pk, claim_token=token).update(
        status=Job.FAILED,
        error=message[:4000],
        attempts=attempts,
        next_attempt_at=retry_at,
        claim_token="",
        claimed_at=None,
    )
    return retry_at


def release(model: type[Job], pk: int, token: str) -> None:
    """Give the job back unfinished (the worker was stopped by hand): the next run takes it; no failure counted."""
    model.objects.filter(pk=pk, claim_token=token).update(status=Job.QUEUED, claim_token="", claimed_at=None)


def requeue(queryset: models.QuerySet, *, afresh: bool = True) -> int:
    """Ask for the jobs again (a new reason to run them); one that is running is left to finish."""
    fields = {"status": Job.QUEUED}
    if afresh:
        fields.update(attempts=0, next_attempt_at=None)
    return queryset.exclude(status=Job.RUNNING).update(**fields)


def due(model: type[Job], now: datetime.datetime) -> models.QuerySet:
    """Jobs whose failure is due another try, and jobs whose worker died holding them."""
    failed_due = Q(status=Job.FAILED, next_attempt_at__lte=now)
    abandoned = Q(status=Job.RUNNING, claimed_at__lt=now - model.LEASE)
    return model.objects.filter(failed_due | abandoned)
