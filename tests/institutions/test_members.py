"""Readers join an institution by verifying an address at its domain or by its invitation, while seats last.

Its admin contact sees who holds the seats; staff set it up in the admin, where a bad range is named.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from masthead.institutions.models import Institution, Membership
from tests.billing.pages import link_in, visible_text
from tests.personas import PASSWORD, logged_in_client
from tests.reading import reads_the_whole_seed_article
from tests.seed import SEED_ALL_PAGES


@pytest.fixture
def school(db) -> Institution:
    today = timezone.localdate()
    return Institution.objects.create(
        name="Kallio Upper School",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=364),
        seats=1,
        email_domains="kallio.example.edu",
    )


def reader_with_address(email: str):
    """A reader whose account's address is `email`."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=email.partition("@")[0], email=email, password=PASSWORD)


def sign_up_and_confirm(client, email: str):
    client.post("/account/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    confirm_url = link_in(mail.outbox[-1].body, "/account/confirm-email/")
    client.post(confirm_url)
    return client.post("/account/login/", {"login": email, "password": PASSWORD}, follow=True)


def test_a_reader_who_confirms_an_address_at_the_schools_domain_reads_as_a_subscriber(school, gated_article, anonymous):
    assert not reads_the_whole_seed_article(anonymous.get(SEED_ALL_PAGES))

    account = sign_up_and_confirm(anonymous, "ilona@kallio.example.edu")

    assert "You read Kallio Upper School's subscription until" in visible_text(account)
    assert reads_the_whole_seed_article(anonymous.get(SEED_ALL_PAGES))


def test_when_the_seats_are_taken_the_next_reader_at_the_domain_gets_the_teaser(school, gated_article, client):
    sign_up_and_confirm(Client(), "ilona@kallio.example.edu")

    sign_up_and_confirm(client, "juha@kallio.example.edu")

    assert not reads_the_whole_seed_article(client.get(SEED_ALL_PAGES))
    assert list(Membership.objects.values_list("email", flat=True)) == ["ilona@kallio.example.edu"]


def test_an_unconfirmed_address_at_the_domain_takes_no_seat(school, gated_article, anonymous):
    anonymous.post(
        "/account/signup/", {"email": "ilona@kallio.example.edu", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert not Membership.objects.exists()


def test_an_address_at_the_domain_that_is_not_verified_gives_no_seat_at_sign_in(school, gated_article, anonymous):
    from allauth.account.models import EmailAddress

    ilona = reader_with_address("ilona@example.com")
    EmailAddress.objects.create(user=ilona, email=ilona.email, verified=True, primary=True)
    EmailAddress.objects.create(user=ilona, email="ilona@kallio.example.edu", verified=False)

    anonymous.post("/account/login/", {"login": ilona.email, "password": PASSWORD})

    assert not Membership.objects.exists()
    assert not reads_the_whole_seed_article(anonymous.get(SEED_ALL_PAGES))


def test_a_reader_verified_before_the_institution_was_set_up_joins_at_their_next_sign_in(gated_article, anonymous):
    from allauth.account.models import EmailAddress

    ilona = reader_with_address("ilona@kallio.example.edu")
    EmailAddress.objects.create(user=ilona, email=ilona.email, verified=True, primary=True)
    today = timezone.localdate()
    Institution.objects.create(
        name="Kallio Upper School",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        seats=5,
        email_domains="kallio.example.edu",
    )

    anonymous.post("/account/login/", {"login": ilona.email, "password": PASSWORD})

    assert reads_the_whole_seed_article(anonymous.get(SEED_ALL_PAGES))


def test_the_admin_contact_sees_seat_use_and_nobody_else_does(school, make_user):
    contact = make_user("liisa")
    school.contact = contact
    school.save()
    holder = reader_with_address("ilona@kallio.example.edu")
    Membership.objects.create(institution=school, reader=holder, email=holder.email, joined_by=Membership.BY_DOMAIN)

    page = logged_in_client(contact).get("/institutions/seats/")
    stranger = logged_in_client(make_user("sol")).get("/institutions/seats/")

    assert "1 of 1 seats taken" in visible_text(page)
    assert "ilona@kallio.example.edu" in visible_text(page)
    assert stranger.status_code == 403 and "ilona" not in stranger.content.decode()
    assert "Your institution's seats" in visible_text(logged_in_client(contact).get("/account/"))


def test_staff_set_up_an_institution_and_the_invited_reader_accepts_once(
    admin_persona_client, make_user, gated_article, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    form = {
        "name": "Nordic Energy Council",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=90)).isoformat(),
        "seats": "3",
        "networks": "",
        "email_domains": "",
        "invited_emails": "Ville@Example.com",
        "contact": "",
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        saved = admin_persona_client.post("/admin/snippets/institutions/institution/add/", form)
    assert saved.status_code == 302

    [invitation] = [email for email in mail.outbox if email.to == ["ville@example.com"]]
    accept_url = link_in(invitation.body, "/institutions/invitations/")
    ville = logged_in_client(make_user("ville"))
    assert "Nordic Energy Council invites you to read" in visible_text(ville.get(accept_url))
    accepted = ville.post(accept_url, follow=True)
    assert "You now read Nordic Energy Council's subscription." in visible_text(accepted)
    assert reads_the_whole_seed_article(ville.get(SEED_ALL_PAGES))

    someone_else = logged_in_client(make_user("sol"))
    refused = someone_else.post(accept_url, follow=True)
    assert "This invitation has been used already." in visible_text(refused)
    assert not reads_the_whole_seed_article(someone_else.get(SEED_ALL_PAGES))


def test_an_invitation_link_asks_a_visitor_to_sign_in_first(school, anonymous):
    from masthead.institutions.models import Invitation

    invitation = Invitation.objects.create(institution=school, email="ville@example.com")

    response = anonymous.get(f"/institutions/invitations/{invitation.token}/")
    unknown = anonymous.get("/institutions/invitations/not-a-token/")

    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("networks", "message"),
    [
        ("192.0.2.0/24\n192.0.2.300/24", "line 2: '192.0.2.300/24' is not an IP range"),
        ("0.0.0.0/0", "line 1: '0.0.0.0/0' is wider than any institution's network"),
    ],
)
def test_a_bad_ip_range_is_named_and_nothing_is_saved(admin_persona_client, networks, message):
    today = timezone.localdate()
    form = {
        "name": "Turku City Library",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=90)).isoformat(),
        "seats": "0",
        "networks": networks,
        "email_domains": "",
        "invited_emails": "",
        "contact": "",
    }

    response = admin_persona_client.post("/admin/snippets/institutions/institution/add/", form)

    assert response.status_code == 200
    assert message in visible_text(response)
    assert not Institution.objects.exists()


def test_an_address_taken_off_the_invited_list_can_no_longer_use_its_link(school, make_user):
    from masthead.institutions.models import Invitation

    school.invited_emails = "ville@example.com"
    school.save()
    token = Invitation.objects.get(email="ville@example.com").token
    school.invited_emails = ""
    school.save()

    ville = logged_in_client(make_user("ville"))

    assert ville.post(f"/institutions/invitations/{token}/").status_code == 404
    assert not Membership.objects.exists()


def test_a_seat_taken_with_an_address_goes_when_the_reader_removes_the_address(school, gated_article, make_user):
    from allauth.account.models import EmailAddress

    ilona = reader_with_address("ilona@example.com")
    EmailAddress.objects.create(user=ilona, email=ilona.email, verified=True, primary=True)
    EmailAddress.objects.create(user=ilona, email="ilona@kallio.example.edu", verified=True)
    client = logged_in_client(ilona)
    client.post("/account/login/", {"login": ilona.email, "password": PASSWORD})
    assert reads_the_whole_seed_article(client.get(SEED_ALL_PAGES))

    client.post("/account/email/addresses/", {"action_remove": "", "email": "ilona@kallio.example.edu"})

    assert not EmailAddress.objects.filter(email="ilona@kallio.example.edu").exists()
    assert not reads_the_whole_seed_article(client.get(SEED_ALL_PAGES))


def test_eight_readers_signing_in_at_once_for_the_last_seat_leave_one_holding_it(at_once):
    from allauth.account.models import EmailAddress

    today = timezone.localdate()
    Institution.objects.create(
        name="Kallio Upper School",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=364),
        seats=1,
        email_domains="kallio.example.edu",
    )
    pupils = [reader_with_address(f"pupil{number}@kallio.example.edu") for number in range(8)]
    for pupil in pupils:
        EmailAddress.objects.create(user=pupil, email=pupil.email, verified=True, primary=True)
    browsers = [Client() for _ in pupils]

    def signs_in(browser, pupil):
        return lambda: browser.post("/account/login/", {"login": pupil.email, "password": PASSWORD})

    answers = at_once(*[signs_in(browser, pupil) for browser, pupil in zip(browsers, pupils, strict=True)])

    assert [answer.status_code for answer in answers] == [302] * 8  # all signed in; none failed on the race
    assert Membership.objects.count() == 1
    reading = ["You read Kallio Upper School's subscription" in visible_text(b.get("/account/")) for b in browsers]
    assert reading.count(True) == 1
