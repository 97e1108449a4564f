"""With SENTRY_DSN set, an error reaches Sentry (here a local HTTP server that stores what it is sent)."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sentry_server():
    received: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding == "br":
                import brotli  # sentry-sdk compresses with it when it is installed

                body = brotli.decompress(body)
            received.append(body)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], received
    server.shutdown()


def test_an_error_logged_by_the_site_is_reported_to_sentry_without_personal_data(sentry_server):
    port, received = sentry_server
    env = {**os.environ, "SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/1", "SENTRY_ENVIRONMENT": "drill"}
    code = (
        "import logging, sentry_sdk; "
        "logging.getLogger('masthead.renewals').error('renewal run failed for plan %s', 'digital-monthly'); "
        "sentry_sdk.flush(5)"
    )

    subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=env, check=True, timeout=120
    )

    sent = b"".join(received).decode(errors="replace")
    assert "renewal run failed for plan digital-monthly" in sent
    assert '"environment":"drill"' in sent.replace(" ", "")
