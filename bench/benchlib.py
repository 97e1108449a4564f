"""What the benchmark scripts share: an isolated environment, child processes, peak memory, saved reports."""

from __future__ import annotations

import datetime
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
# Settings that would point a benchmark at the developer's own database, queue, cache or files.
NOT_INHERITED = ("DATABASE_URL", "TASK_BACKEND", "REDIS_URL", "MEDIA_ROOT", "AWS_STORAGE_BUCKET_NAME", "EDITIONS_ROOT")


class ChildFailed(Exception):
    pass


def isolated_env(data_dir: str) -> dict[str, str]:
    """Production settings on a throwaway DATA_DIR; publishing only queues its jobs, nothing runs them."""
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        DJANGO_SETTINGS_MODULE="masthead.settings",
        DATA_DIR=data_dir,
        TASK_BACKEND="django_tasks_db.DatabaseBackend",
        PYTHONUNBUFFERED="1",
    )
    return env


def run_child(env: dict[str, str], *args: str) -> str:
    """Run our own interpreter with `args` in the checkout; its stdout, or ChildFailed with what it said."""
    done = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise ChildFailed(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def last_json(output: str) -> dict:
    """The JSON object a child printed last (earlier lines may be Django's or a library's chatter)."""
    return json.loads(output.strip().splitlines()[-1]) if output.strip() else {}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def save_report(name: str, report: str, *, label: str = "", suffix: str = ".md") -> Path:
    """Write the report to bench/results/<name>-<date><label><suffix> and say where."""
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{name}-{datetime.date.today():%Y-%m-%d}{label}{suffix}"
    out.write_text(report)
    print(f"Saved to {out.relative_to(ROOT)}", file=sys.stderr)
    return out
