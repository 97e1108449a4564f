"""Code run in a new Python process as a web server's would run it: the production settings (no test
settings, no database or Redis from the environment), a data folder of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_in_a_new_process(code: str, data_dir: Path, *args: str, **environment: str) -> str:
    """`code` run by `python -c` with `args`, in an environment without DATABASE_URL, REDIS_URL or TASK_BACKEND
    (plus `environment`); its output, stripped. A failure raises CalledProcessError with its stderr."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL", "TASK_BACKEND")}
    env.update(DJANGO_SETTINGS_MODULE="masthead.settings", DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT), **environment)
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()
