"""Shared fixtures: every test draws its readers, editors and content from here.

The personas (readers, subscribers, editors, staff) are in tests/personas.py, loaded for every test
below. The site: `home_page` and `sections` (the six created by migration content/0002), and
`seed_article`, the publisher's page imported through the importer as `make run` does.
"""

from __future__ import annotations

import datetime
import os
import signal
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections, transaction
from django.utils import timezone

from masthead.content.importer import import_articles, parse_path
from masthead.content.models import ArticlePage, HomePage, SectionPage
from masthead.institutions import networks
from masthead.institutions.models import Institution
from tests.migrated_database import reused_when_migrated_before
from tests.seed import SEED_FILE

pytest_plugins = ["tests.personas"]

SECTION_SLUGS = ["politics", "finance", "foreign-affairs", "environment", "culture", "technology"]


# What keeps a test out of `make test-fast`: a browser, a server or worker in another process, epubcheck,
# pdftotext or the real voice. The fast set is the inner loop; CI runs everything.
SLOW_FIXTURES = {"chromium_browser", "browser_page", "live_server", "piper", "shared_database", "localstripe_url"}
SLOW_MODULES = {"test_epub.py", "test_pdf.py", "test_builds.py", "test_renewal_crash.py", "test_printer_files.py"}
# And the tests measured to cost over 0.25 s of CPU, their own and their child processes' (a subprocess,
# Hypothesis's hundreds of examples, a whole issue built, an import, a 100-row ledger; the paywall's over
# 0.5 s), so that the fast set runs in about a minute: the list, and how to measure it again, are in the
# file. A new test is fast until measured.
MEASURED_SLOW = Path(__file__).with_name("slow_tests.txt")


def measured_slow_tests() -> set[str]:
    lines = MEASURED_SLOW.read_text().splitlines() if MEASURED_SLOW.exists() else []
    return {line for line in lines if line and not line.startswith("#")}


def pytest_addoption(parser):
    parser.addoption(
        "--record-cpu",
        metavar="PATH",
        help="append each test's CPU seconds (its own and its child processes') and node id to PATH, tab-separated",
    )


def pytest_configure(config):
    # The test settings serve static files from the finders; an absent STATIC_ROOT is expected.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
    if config.getoption("record_cpu"):
        config.pluginmanager.register(CpuRecorder(config.getoption("record_cpu")), "cpu_recorder")


def pytest_collection_modifyitems(config, items):
    measured_slow = measured_slow_tests()
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if (
            fixtures & SLOW_FIXTURES
            or item.path.name in SLOW_MODULES
            or item.get_closest_marker("browser")
            or item.nodeid in measured_slow
        ):
            item.add_marker(pytest.mark.slow)


class CpuRecorder:
    """`--record-cpu`: each test's CPU seconds, less the session's fixtures that happened to be set up during it."""

    def __init__(self, path: str):
        self.path = path
        self.session_setup = 0.0

    @staticmethod
    def cpu_seconds() -> float:
        return sum(os.times()[:4])  # user and system, this process's and its child processes' that have ended

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        self.session_setup = 0.0
        started = self.cpu_seconds()
        try:
            return (yield)
        finally:
            spent = self.cpu_seconds() - started - self.session_setup
            with open(self.path, "a") as out:  # one short line per write: workers appending do not interleave
                out.write(f"{spent:.3f}\t{item.nodeid}\n")

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef, request):
        if fixturedef.scope != "session":
            return (yield)
        started = self.cpu_seconds()
        try:
            return (yield)
        finally:
            self.session_setup += self.cpu_seconds() - started


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_keepdb, django_db_createdb):
    """pytest-django's step before it creates the test database: with `--reuse-db` (`make test-fast`), the
    migrated database saved by an earlier run is copied in instead of migrating (tests/migrated_database.py)."""
    if not django_db_keepdb:
        yield
        return
    with reused_when_migrated_before(rebuild=django_db_createdb):
        yield


@pytest.fixture(scope="session", autouse=True)
def run_outside_the_checkout():
    """Tests run from the throwaway data folder, so a path built by mistake from "" or "." is never the checkout.

    A storage on S3 has an empty `location`; a clean-up that once turned it into a folder deleted the whole
    checkout. Tests name the repository's files from settings.BASE_DIR, never from the working directory.
    """
    previous = os.getcwd()
    os.chdir(settings.TEST_DATA_DIR)
    yield
    os.chdir(previous)


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with an empty page cache (and Wagtail's site and rendition caches)."""
    for alias in settings.CACHES:
        caches[alias].clear()
    networks.assume_no_ranges()  # institutions' networks, kept in memory: none until a test saves one
    yield
    for alias in settings.CACHES:
        caches[alias].clear()
    networks.assume_no_ranges()


@pytest.fixture(scope="session", autouse=True)
def profile_bucket():
    """Under `make test-prod`, this worker's own bucket in the profile's S3 (settings_test.TEST_BUCKET)."""
    bucket = getattr(settings, "TEST_BUCKET", "")
    if bucket:
        import boto3

        client = boto3.client("s3", endpoint_url=settings.AWS_S3_ENDPOINT_URL)
        if bucket not in {found["Name"] for found in client.list_buckets()["Buckets"]}:
            client.create_bucket(Bucket=bucket)


@pytest.fixture(scope="session")
def collected_static(django_db_blocker):
    """STATIC_ROOT filled as `collectstatic` fills it on a server, for nginx to serve."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    return str(settings.STATIC_ROOT)


@pytest.fixture
def site_url(request, live_server):
    """Where a browser test's reader goes: the live server, or under `make test-prod` the shipped nginx in front of it.

    Behind nginx the app marks the anonymous pages nginx may keep and purges them on publish, as in production.
    """
    if getattr(settings, "TEST_PROFILE", "") != "production":
        with one_request_at_a_time(live_server):
            yield live_server.url
        return
    from tests.front_server import nginx_in_front_of

    app_address = f"127.0.0.1:{live_server.thread.port}"
    static_root = request.getfixturevalue("collected_static")
    django_settings = request.getfixturevalue("settings")
    with nginx_in_front_of(
        app_address, static_root=static_root, s3_endpoint=settings.AWS_S3_ENDPOINT_URL, s3_bucket=settings.TEST_BUCKET
    ) as url:
        django_settings.FRONT_CACHE_PURGE_URLS = [url]
        yield url


@contextmanager
def one_request_at_a_time(live_server):
    """On SQLite in memory every live-server thread is handed the test's one connection, so a page and a
    webhook answered together would use it at once ("cannot start a transaction within a transaction"):
    there they take turns. localstripe sends its webhooks after answering, so no request waits on another.
    A test that reads the database while a request may be answered (waiting for a webhook) takes
    `live_server.between_requests` for its read: while Playwright runs, the test's thread has a
    connection of its own (tests/browser/conftest.py), and SQLite in memory refuses its read at once
    ("database table is locked") while a request's transaction holds the table.
    """
    if not live_server.thread.connections_override:
        yield
        return
    server = live_server.thread.httpd
    app = server.get_app()
    turn = threading.Lock()
    live_server.between_requests = turn

    def in_turn(environ, start_response):
        with turn:
            return app(environ, start_response)

    server.set_app(in_turn)
    try:
        yield
    finally:
        server.set_app(app)
        del live_server.between_requests


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """One transaction around a test module, for costly data its tests only read; rolled back after.

    Each test still runs in its own savepoint inside it, so what a test writes is undone as usual.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def at_once(transactional_db, django_db_serialized_rollback, tmp_path):
    """`at_once(call, call, ...)`: run each call on its own thread, all released together; returns their results.

    Each thread has its own database connection and transactions, as concurrent requests do, so the
    test runs on committed data (rows that migrations made are put back afterwards). SQLite in
    memory answers "table is locked" at once instead of waiting, so there the test moves to a copy
    of the database in a file, where writers wait their turn as they do on a real site.
    """
    memory = None
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        path = tmp_path / "masthead.sqlite3"
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        copy.close()
        memory = connections.settings["default"], connections["default"]
        connections.settings["default"] = {**memory[0], "NAME": str(path)}
        connections["default"] = connections.create_connection("default")

    def run_together(*calls):
        barrier = threading.Barrier(len(calls))
        results = [None] * len(calls)

        def run(index, call):
            try:
                barrier.wait()
                results[index] = call()
            except Exception as error:  # the test looks at what each request got
                results[index] = error
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return results

    yield run_together
    if memory is not None:
        connections["default"].close()
        connections.settings["default"], connections["default"] = memory


@pytest.fixture
def signal_handlers():
    """This process's handlers of the stop signals, put back after the test: a worker run here (db_worker, an
    RQ worker) sets its own and leaves them, and tests of stopping set theirs."""
    numbers = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGRTMIN)
    kept = {number: signal.getsignal(number) for number in numbers}
    yield
    for number, handler in kept.items():
        signal.signal(number, handler)


@pytest.fixture
def home_page(db) -> HomePage:
    return HomePage.objects.get()


@pytest.fixture
def sections(db) -> dict[str, SectionPage]:
    """The six sections, by slug, in the order the navigation shows them."""
    by_slug = {section.slug: section for section in SectionPage.objects.order_by("path")}
    assert list(by_slug) == SECTION_SLUGS
    return by_slug


@pytest.fixture
def seed_article(sections) -> ArticlePage:
    """The publisher's three-page article, imported from shared/seed as the demo loader does."""
    [article] = import_articles(parse_path(SEED_FILE), sections["foreign-affairs"])
    return article


@pytest.fixture
def gated_article(seed_article) -> ArticlePage:
    """The seed article made subscribers-only (modules with an article of their own override this)."""
    seed_article.access_level = "subscribers"
    seed_article.save_revision().publish()
    return seed_article


@pytest.fixture
def smtp_server(settings):
    """An aiosmtpd server on a free port of 127.0.0.1, and the site's mail settings pointed at it."""
    from tests.email.smtp_server import SMTPServer

    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.SITE_URL = "http://testserver"
        yield server


@pytest.fixture
def library(db) -> Institution:
    """Turku City Library: 10 seats for a year that began a month ago, its readers recognised by two ranges."""
    today = timezone.localdate()
    return Institution.objects.create(
        name="Turku City Library",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=335),
        seats=10,
        networks="192.0.2.0/24\n2001:db8::/32",
    )
