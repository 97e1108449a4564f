"""Email tests send through a real SMTP server on 127.0.0.1 (`smtp_server`, tests/conftest.py), then read it."""

from __future__ import annotations

from tests.ledger.conftest import shared_database  # noqa: F401 (the kill-and-resume test runs a worker process)
