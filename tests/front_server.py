"""nginx in front of the live server, for the browser tests under `make test-prod` (TEST_PROFILE=production).

The front server is the one we ship, deploy/nginx.conf, filled in as scripts/prod/start.sh fills it: static
files from STATIC_ROOT, anonymous pages kept in its cache and purged by the app, signed-in readers passed
through. One per test, with an empty cache: the live server's database is emptied between tests, and a page
nginx kept in one test must not be served in the next.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx.conf"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_config(values: dict[str, str]) -> str:
    """deploy/nginx.conf with its ${NAME}s filled in; a name without a value is an error, not an empty string."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"deploy/nginx.conf needs ${{{name}}}: give it in tests/front_server.py")
        return values[name]

    return re.sub(r"\$\{([A-Z0-9_]+)\}", value, TEMPLATE.read_text())


def _answers(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
        return True
    return False


@contextlib.contextmanager
def nginx_in_front_of(app_address: str, *, static_root: str, s3_endpoint: str, s3_bucket: str) -> Iterator[str]:
    """Start nginx before the app at `host:port`; yields nginx's base URL and stops it after."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="masthead-nginx-") as run:
        logs = Path(run) / "logs"
        logs.mkdir()
        values = {
            "NGINX_USER_LINE": "user root;" if os.geteuid() == 0 else "",
            "PROD_RUN": run,
            "PROD_LOGS": str(logs),
            "APP_ADDRESS": app_address,
            "PROD_HOST": "127.0.0.1",
            "PROD_PORT": str(port),
            "STATIC_ROOT": static_root,
            "S3_ENDPOINT": s3_endpoint,
            "S3_BUCKET": s3_bucket,
            "AUDIO_ROOT": str(Path(run) / "audio"),
            "EDITIONS_ROOT": str(Path(run) / "editions"),
            "PURGE_ALLOW": "",
        }
        config = Path(run) / "nginx.conf"
        config.write_text(render_config(values))
        command = ["nginx", "-c", str(config), "-p", run, "-e", str(logs / "nginx-error.log")]
        subprocess.run(command, check=True)
        try:
            deadline = time.monotonic() + 10
            while not _answers(port):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not answer on {port}: {(logs / 'nginx-error.log').read_text()}")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            pid = int((Path(run) / "nginx.pid").read_text())
            os.kill(pid, signal.SIGTERM)  # fast shutdown: nothing of this test's pages needs to outlive it
            deadline = time.monotonic() + 10
            while _answers(port) and time.monotonic() < deadline:
                time.sleep(0.05)
