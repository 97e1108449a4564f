"""Shared personas and site fixtures: every test draws its readers, editors and content from here.

Personas, defined here and nowhere else (each a user and, as `<persona>_client`, a test client logged
in as that user). Readers have the verified address signing up gives them; subscribers buy through
`do_subscribe` as checkout does (sandbox gateway, the 4242 test card), committed, with the outbox
emptied afterwards so a test sees only its own emails:
- anonymous: a visitor with no account (`anonymous` is a client with no login);
- reader: Rita, a registered reader with no subscription;
- subscriber: Sam pays for Digital monthly, so may read, hear and download everything;
- print_subscriber: Pat takes Digital + Print yearly, mailed to Brooklyn;
- lapsed_subscriber: Lou subscribed monthly on 1 October 2026, cancelled, and the paid month ran out;
- refunded_subscriber: Ruth subscribed, then took the money-back guarantee, which ended it at once;
- editor: Eddie, in Wagtail's "Editors" and "Moderators" groups, so writes and publishes articles;
- admin: Ada, a superuser (`admin_persona_client`);
- circulation: Cora, in a "Circulation" group that may use the admin and manage subscriptions.

Folders parameterise them rather than define their own: `clock` (real time here; tests/billing freezes
it on launch day, and the personas are made on it) and `client_class` (the readers' and anonymous'
client; tests/billing's `ReaderBrowser` commits each request).

The site: `home_page` and `sections` (the six created by migration content/0002), and
`seed_article`, the publisher's page imported through the importer as `make run` does.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
import threading
from contextlib import contextmanager

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.cache import caches
from django.db import connection, connections, transaction
from django.test import Client, TestCase

from masthead.content.importer import import_articles, parse_path
from masthead.content.models import ArticlePage, HomePage, SectionPage
from masthead.institutions import networks
from masthead.subscriptions.gateways import CardInput
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import Plan, Subscription
from masthead.subscriptions.services import (
    AddressInput,
    do_cancel,
    do_refund_under_guarantee,
    do_subscribe,
    renew_due_subscriptions,
)
from tests.seed import SEED_FILE

SECTION_SLUGS = ["politics", "finance", "foreign-affairs", "environment", "culture", "technology"]
PASSWORD = "correct horse battery staple"


# What keeps a test out of `make test-fast`: a browser, a server or worker in another process, epubcheck,
# pdftotext or the real voice. The fast set is the inner loop; CI runs everything.
SLOW_FIXTURES = {"chromium_browser", "browser_page", "live_server", "piper", "shared_database", "localstripe_url"}
SLOW_MODULES = {"test_epub.py", "test_pdf.py", "test_builds.py", "test_renewal_crash.py", "test_printer_files.py"}


def pytest_configure(config):
    # The test settings serve static files from the finders; an absent STATIC_ROOT is expected.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SLOW_FIXTURES or item.path.name in SLOW_MODULES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


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
    """
    if not live_server.thread.connections_override:
        yield
        return
    server = live_server.thread.httpd
    app = server.get_app()
    turn = threading.Lock()

    def in_turn(environ, start_response):
        with turn:
            return app(environ, start_response)

    server.set_app(in_turn)
    try:
        yield
    finally:
        server.set_app(app)


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


# -- personas ------------------------------------------------------------------------------------

PERSONA_CARD = CardInput(number="4242424242424242", exp_month=12, exp_year=2034, cvc="123")
BROOKLYN = AddressInput(
    name="Pat Print", line1="12 Court Street", city="Brooklyn", region="NY", postal_code="11201", country="US"
)
LAPSED_SUBSCRIBED_AT = datetime.datetime(2026, 10, 1, 12, 0, tzinfo=datetime.UTC)
LAPSED_ENDED_AT = datetime.datetime(2026, 11, 2, 12, 0, tzinfo=datetime.UTC)  # the renewal run after the paid month
CIRCULATION_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("subscriptions", "change_subscription"),
    ("subscriptions", "add_plan"),
    ("subscriptions", "change_plan"),
    ("subscriptions", "delete_plan"),
    ("subscriptions", "view_plan"),
    ("subscriptions", "add_offer"),
    ("subscriptions", "change_offer"),
    ("subscriptions", "view_offer"),
]


@pytest.fixture
def clock():
    """Real time: personas are made now. A folder where dates matter overrides this with a frozen clock
    (tests/billing: launch day; tests/circulation: New Year's Day 2027), and its personas are made on it.
    """
    return None


@pytest.fixture
def client_class():
    """The test client reader personas browse with (tests/billing's commits each request: `ReaderBrowser`)."""
    return Client


@contextmanager
def committed():
    """Run what the code sends "on commit" (emails, tasks) when the block ends, as a real commit would.

    Each test runs inside a transaction that is rolled back, so nothing would otherwise commit.
    """
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


@pytest.fixture
def make_user(db):
    """Create a user by persona name; extra groups by name (e.g. "Editors")."""

    def make(username: str, *, groups: tuple[str, ...] = (), **fields):
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@example.com", password=PASSWORD, **fields
        )
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user

    return make


def confirmed(user):
    """`user` with the verified address signing up gives (allauth lets a reader log in only with one)."""
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def work_queued_on_commit(callbacks) -> list:
    """The on-commit callbacks that queue work, leaving out the page cache's forgetting of changed pages."""
    return [callback for callback in callbacks if callback.__module__ != "masthead.core.page_cache"]


def logged_in_client(user, client_class: type[Client] = Client) -> Client:
    client = client_class()
    client.force_login(user)
    return client


def subscribe(
    user, checkout: str = "t1", *, plan: str = "digital-monthly", address: AddressInput | None = None, offer=None
) -> Subscription:
    """Buy `plan` for `user` as checkout does (sandbox gateway, test card); a new `checkout` token buys again."""
    return do_subscribe(
        reader=user,
        plan=Plan.objects.get(slug=plan),
        card=PERSONA_CARD,
        checkout_token=checkout,
        address=address,
        offer=offer,
        gateway=SandboxGateway(),
    )


def persona_subscribes(user, plan: str = "digital-monthly", *, address: AddressInput | None = None) -> Subscription:
    """`user` buys `plan` at checkout, committed as the checkout's request commits (the welcome and receipt
    are sent); then the outbox is emptied, so tests see only their own emails."""
    with committed():
        subscription = subscribe(user, f"persona-{user.username}", plan=plan, address=address)
    mail.outbox.clear()
    return subscription


@pytest.fixture
def anonymous(client_class) -> Client:
    """A visitor without an account or a session."""
    return client_class()


@pytest.fixture
def reader(make_user):
    """Rita reads the magazine with a free account and no subscription."""
    return confirmed(make_user("rita", first_name="Rita", last_name="Reader"))


@pytest.fixture
def reader_client(reader, client_class) -> Client:
    return logged_in_client(reader, client_class)


@pytest.fixture
def subscriber(make_user, clock):
    """Sam has paid for Digital monthly since the clock's day (launch day in tests/billing)."""
    sam = confirmed(make_user("sam", first_name="Sam", last_name="Subscriber"))
    persona_subscribes(sam)
    return sam


@pytest.fixture
def subscriber_client(subscriber, client_class) -> Client:
    return logged_in_client(subscriber, client_class)


@pytest.fixture
def print_subscriber(make_user, clock):
    """Pat takes Digital + Print, yearly, mailed to Brooklyn, since the clock's day."""
    pat = confirmed(make_user("pat", first_name="Pat", last_name="Print"))
    persona_subscribes(pat, "digital-print-yearly", address=BROOKLYN)
    return pat


@pytest.fixture
def print_subscriber_client(print_subscriber, client_class) -> Client:
    return logged_in_client(print_subscriber, client_class)


@pytest.fixture
def lapsed_subscriber(make_user, clock):
    """Lou subscribed monthly on 1 October 2026, cancelled at once, and the paid month ran out (2 November)."""
    lou = confirmed(make_user("lou", first_name="Lou", last_name="Lapsed"))
    with time_machine.travel(LAPSED_SUBSCRIBED_AT, tick=False) as then:
        subscription = persona_subscribes(lou)
        with committed():
            do_cancel(subscription, actor="reader", reason="too_expensive")
        then.move_to(LAPSED_ENDED_AT)
        with committed():
            renew_due_subscriptions()
    mail.outbox.clear()
    return lou


@pytest.fixture
def lapsed_subscriber_client(lapsed_subscriber, client_class) -> Client:
    return logged_in_client(lapsed_subscriber, client_class)


@pytest.fixture
def refunded_subscriber(make_user, clock):
    """Ruth subscribed to Digital monthly, then took the money-back guarantee: her subscription ended at once."""
    ruth = confirmed(make_user("ruth", first_name="Ruth", last_name="Refunded"))
    subscription = persona_subscribes(ruth)
    with committed():
        do_refund_under_guarantee(subscription, actor="reader", gateway=SandboxGateway())
    mail.outbox.clear()
    return ruth


@pytest.fixture
def refunded_subscriber_client(refunded_subscriber, client_class) -> Client:
    return logged_in_client(refunded_subscriber, client_class)


@pytest.fixture
def editor(make_user):
    """Eddie writes and publishes articles in the Wagtail admin.

    Wagtail's "Editors" group may write and submit pages; its "Moderators" group may publish them.
    """
    return make_user("eddie", first_name="Eddie", last_name="Editor", groups=("Editors", "Moderators"))


@pytest.fixture
def editor_client(editor) -> Client:
    return logged_in_client(editor)


@pytest.fixture
def admin(make_user):
    """Ada runs the site: a superuser."""
    return make_user("ada", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_persona_client(admin) -> Client:
    return logged_in_client(admin)


@pytest.fixture
def circulation_group(db) -> Group:
    """A "Circulation" group as a publisher sets it up: the admin, subscribers, plans and offer codes."""
    group = Group.objects.create(name="Circulation")
    for app_label, codename in CIRCULATION_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return group


@pytest.fixture
def circulation(make_user, circulation_group):
    """Cora looks after subscribers in the Wagtail admin: refunds, complimentary copies, cancellations."""
    return make_user("cora", first_name="Cora", last_name="Circulation", groups=("Circulation",))


@pytest.fixture
def circulation_client(circulation) -> Client:
    return logged_in_client(circulation)


# -- the site ------------------------------------------------------------------------------------


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
