"""The test personas, defined here and nowhere else (loaded for every test by tests/conftest.py).

Each persona is a user and, as `<persona>_client`, a test client logged
in as that user. Readers have the verified address signing up gives them; subscribers buy through
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
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client, TestCase

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

PASSWORD = "correct horse battery staple"
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
    """The on-commit callbacks that queue work, leaving out caches forgetting what changed (pages, the
    search form's author list)."""
    forgetting = {"masthead.core.page_cache", "masthead.content.search"}
    return [callback for callback in callbacks if callback.__module__ not in forgetting]


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
