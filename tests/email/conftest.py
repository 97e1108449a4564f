"""Email tests send through a real SMTP server on 127.0.0.1, started here, and read what it received."""

from __future__ import annotations

import pytest

from tests.email.smtp_server import SMTPServer
from tests.ledger.conftest import shared_database  # noqa: F401 (the kill-and-resume test runs a worker process)


@pytest.fixture
def smtp_server(settings):
    """An aiosmtpd server on a free port of 127.0.0.1, and the site's mail settings pointed at it."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.SITE_URL = "http://testserver"
        yield server
