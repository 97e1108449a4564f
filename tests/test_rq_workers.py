"""An RQ worker asked to stop stops at once: a deploy restarts workers, and `--burst` runs end, in seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis
from rq import Queue

from masthead.core import jobs
from masthead.ops.rq_workers import SimpleWorker, Worker

ROOT = Path(__file__).resolve().parent.parent
# A Redis database of this test's own per xdist worker (9 and 10 under -n 2).
DB = 9 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
REDIS_URL = f"redis://127.0.0.1:6379/{DB}"


def test_a_burst_worker_started_as_production_starts_them_quits_within_seconds_of_its_last_job(tmp_path):
    """RQ 3.0 with redis-py 8.2 kept a worker's command listener asleep for a minute after its work ended."""
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "masthead.settings",
        "TASK_BACKEND": "masthead.ops.task_queues.RoutedRQBackend",
        "REDIS_URL": REDIS_URL,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    try:
        for _ in range(3):
            Queue("default", connection=redis).enqueue("os.getpid")
            worked = subprocess.run(
                [sys.executable, "manage.py", "rqworker", "default", "--burst"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=30,  # a minute's sleep fails here
            )
            assert worked.returncode == 0, worked.stderr
            assert "Job OK" in worked.stderr + worked.stdout
            assert Queue("default", connection=redis).count == 0
    finally:
        redis.flushdb()


def test_a_worker_stops_within_seconds_after_its_last_job_every_time():
    """In the worker's own process, as tests and burst runs use it; a new connection each time, as a new process has.
    RQ's own SimpleWorker fails this about one time in two."""
    try:
        for _ in range(5):
            redis = Redis.from_url(REDIS_URL)
            queue = Queue("default", connection=redis)
            queue.enqueue("os.getpid")
            started = time.monotonic()
            SimpleWorker([queue], connection=redis).work(burst=True)
            assert time.monotonic() - started < 30, "the worker slept on after its work"
            assert queue.count == 0
    finally:
        Redis.from_url(REDIS_URL).flushdb()


def job_that_can_stop_part_way(seconds: float) -> str:
    """A long job that checks for a stop between steps (as a narration does between sentences); while it
    runs, its worker is asked to stop, as a deploy asks (SIGTERM to the worker, not to this work horse)."""
    with jobs.stop_when_asked() as stop_here:
        os.kill(os.getppid(), signal.SIGTERM)
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            try:
                stop_here()
            except jobs.Stopped:
                return "stopped part-way"
            time.sleep(0.01)
    return "ran to its end"


def job_that_cannot_stop_part_way(seconds: float) -> str:
    """A job with no safe point (a renewal's charge): it must not be cut short by the worker's stop."""
    os.kill(os.getppid(), signal.SIGTERM)
    time.sleep(seconds)
    return "ran to its end"


def test_a_worker_asked_to_stop_tells_its_work_horse_so_a_job_that_can_stop_part_way_does(signal_handlers):
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    try:
        queue = Queue("audio", connection=redis)
        long_one = queue.enqueue(job_that_can_stop_part_way, 20)
        Worker([queue], connection=redis).work(burst=True)
        assert long_one.latest_result().return_value == "stopped part-way"

        other = queue.enqueue(job_that_cannot_stop_part_way, 0.5)
        Worker([queue], connection=redis).work(burst=True)
        assert other.latest_result().return_value == "ran to its end", "a job with no safe point finishes"
    finally:
        redis.flushdb()


def test_a_worker_ignores_its_word_to_the_work_horse_before_it_forks_one(signal_handlers):
    """A horse told to stop before it has set its own signals has the worker's: ignored, where the default kills."""
    redis = Redis.from_url(REDIS_URL)
    Worker([Queue("audio", connection=redis)], connection=redis)._install_signal_handlers()

    assert signal.getsignal(jobs.STOP_AT_A_SAFE_POINT) == signal.SIG_IGN
