"""RQ's workers, stopping as soon as they are asked to (settings.RQ["WORKER_CLASS"], `manage.py rqworker`).

A worker asked to stop (SIGTERM, Ctrl-C: a warm shutdown) waits for the job at hand, which runs in a
forked work horse, a process group of its own that the signal does not reach. A narration takes most of a
minute: the horse is told to stop at a safe point (`core.jobs.STOP_AT_A_SAFE_POINT`), which a narration
heeds before its next sentence (`core.jobs.stop_when_asked`: it queues itself again) and any other job
ignores (a renewal finishes its charge).

A worker listens for commands (stop a job, shut down) on a pub/sub thread that sleeps up to 60 s at a
time. RQ 3.0 unsubscribes, then stops that thread expecting the stop not to wait; redis-py 8.2's
`PubSubWorkerThread.stop()` waits for the thread, which, woken by the unsubscribe's answer before it saw
the stop, had gone back to sleep for its 60 s. So a worker asked to stop (a deploy, a burst run ending)
often took a minute. Here the thread is told to stop first; the unsubscribe's answer then wakes it to exit.
"""

from __future__ import annotations

import contextlib
import os
import signal

from rq import worker

from masthead.core.jobs import STOP_AT_A_SAFE_POINT


class StopsPromptly:
    def unsubscribe(self):
        if self.pubsub_thread:
            self.log.info("Worker %s: unsubscribing from channel %s", self.name, self.pubsub_channel_name)
            self.pubsub_thread.stop(timeout=0)  # only the flag: the thread is reading and cannot see it yet
            self.pubsub.unsubscribe()
            self.pubsub_thread.join(timeout=1)
            self.pubsub.close()


class Worker(StopsPromptly, worker.Worker):
    """The production workers': each job in a forked work horse."""

    def _install_signal_handlers(self):
        super()._install_signal_handlers()
        # Ignored before any fork, so a horse told to stop before it has set its own signals does not die.
        signal.signal(STOP_AT_A_SAFE_POINT, signal.SIG_IGN)

    def setup_work_horse_signals(self):
        super().setup_work_horse_signals()
        signal.signal(STOP_AT_A_SAFE_POINT, signal.SIG_IGN)  # heeded only where a job listens for it

    def handle_warm_shutdown_request(self):
        super().handle_warm_shutdown_request()
        if self.horse_pid:
            with contextlib.suppress(ProcessLookupError):  # the job has just ended
                os.kill(self.horse_pid, STOP_AT_A_SAFE_POINT)


class SimpleWorker(StopsPromptly, worker.SimpleWorker):
    """Jobs in the worker's own process (tests, and burst runs)."""
