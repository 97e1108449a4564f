"""A free sign-up is a reader: confirming by the emailed link signs them in (once), the meter counts their reads,
and later they sign in with a code emailed to them. A link never opens an account with a password, nor staff's.

Personas of this file: Vera signs up with only her address; Rita has an account with a password (the
shared `reader`); Ada is a superuser and Eddie an editor, each here without a usable password, so that
only their being staff keeps the link out.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from masthead.access.models import MeteredRead, PaywallSettings
from masthead.newsletters.models import Recipient
from tests.factories import ArticleFactory, paragraphs
from tests.seed import SEED_PAGE_3_SENTENCE

pytestmark = pytest.mark.django_db

VERA = "vera@example.org"


@pytest.fixture
def meter_on(db) -> PaywallSettings:
    settings = PaywallSettings.load()
    settings.meter_enabled, settings.meter_limit = True, 1
    settings.save()
    return settings


def text_of(received) -> str:
    return received.message.get_body(preferencelist=("plain",)).get_content()


def latest_confirmation_link(smtp_server, email) -> str:
    """The link in the newest confirmation email to `email`, as the reader would click it."""
    links = [re.search(r"http://testserver(/newsletters/confirm/\S+/)", text_of(m)) for m in smtp_server.to(email)]
    links = [link.group(1) for link in links if link]
    assert links, f"no confirmation email to {email}"
    return links[-1]


def sign_up(browser, email, capture) -> None:
    with capture(execute=True):
        assert browser.post("/newsletters/signup/", {"email": email}).status_code == 200


def press_the_button(browser, link):
    """A person opens the link (a page with a button, which mail scanners never press) and presses it."""
    assert "Confirm my sign-up" in browser.get(link).content.decode()
    return browser.post(link)


def signed_in_as(browser) -> str | None:
    """Whose /account/ this browser sees, or None when it is sent to the login page."""
    response = browser.get("/account/")
    if response.status_code == 302:
        return None
    return re.search(r"Signed in as <strong>([^<]+)</strong>", response.content.decode()).group(1)


def test_a_free_sign_up_confirmed_by_its_link_is_signed_in_and_reads_a_metered_article(
    anonymous, smtp_server, django_capture_on_commit_callbacks, gated_article, meter_on
):
    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    link = latest_confirmation_link(smtp_server, VERA)

    confirmed = press_the_button(anonymous, link).content.decode()

    assert "You are signed in" in confirmed and "1 subscriber article a month" in confirmed
    assert signed_in_as(anonymous) == VERA
    assert "Set a password" in anonymous.get("/account/").content.decode(), "no password until they want one"
    vera = get_user_model().objects.get(email=VERA)
    assert not vera.has_usable_password()
    assert EmailAddress.objects.filter(user=vera, email=VERA, verified=True, primary=True).exists()
    assert Recipient.objects.get(email=VERA).user == vera

    assert SEED_PAGE_3_SENTENCE in anonymous.get(gated_article.url + "3/").content.decode()
    assert MeteredRead.objects.filter(reader=vera).count() == 1


def test_the_link_signs_in_once_and_pressed_again_later_only_confirms(
    anonymous, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    link = latest_confirmation_link(smtp_server, VERA)
    press_the_button(anonymous, link)
    assert signed_in_as(anonymous) == VERA
    anonymous.post("/account/logout/")

    again = press_the_button(anonymous, link)

    assert again.status_code == 200 and "You are signed up" in again.content.decode()
    assert "signed you in once already" in again.content.decode()
    assert signed_in_as(anonymous) is None
    other_browser = Client()
    press_the_button(other_browser, link)
    assert signed_in_as(other_browser) is None


def test_a_second_link_sent_before_the_first_was_pressed_is_spent_by_it(
    anonymous, smtp_server, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-12-04 09:00:00Z", tick=False)
    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    first = latest_confirmation_link(smtp_server, VERA)
    time_machine.move_to("2026-12-04 09:30:00Z", tick=False)  # past the 10 minutes: a second email goes
    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    second = latest_confirmation_link(smtp_server, VERA)
    assert first != second

    press_the_button(anonymous, second)
    assert signed_in_as(anonymous) == VERA

    other_browser = Client()
    press_the_button(other_browser, first)
    assert signed_in_as(other_browser) is None


def test_an_account_with_a_password_is_not_signed_in_by_the_link(
    anonymous, reader, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(anonymous, reader.email, django_capture_on_commit_callbacks)

    confirmed = press_the_button(anonymous, latest_confirmation_link(smtp_server, reader.email)).content.decode()

    assert "Log in to read with your account" in confirmed and 'href="/account/login/"' in confirmed
    assert signed_in_as(anonymous) is None
    assert get_user_model().objects.filter(email__iexact=reader.email).count() == 1, "no second account"
    assert Recipient.objects.get(email=reader.email).user == reader


@pytest.mark.parametrize("persona", ["admin", "editor"])
def test_a_staff_address_is_never_signed_in_by_the_link(
    request, persona, anonymous, smtp_server, django_capture_on_commit_callbacks
):
    staff = request.getfixturevalue(persona)
    staff.set_unusable_password()  # only their being staff should keep the link out
    staff.save()

    sign_up(anonymous, staff.email, django_capture_on_commit_callbacks)
    confirmed = press_the_button(anonymous, latest_confirmation_link(smtp_server, staff.email)).content.decode()

    assert "Log in to read with your account" in confirmed
    assert signed_in_as(anonymous) is None
    assert anonymous.get("/admin/").status_code == 302


def test_a_free_reader_signs_in_later_with_a_code_from_the_email(
    anonymous, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    press_the_button(anonymous, latest_confirmation_link(smtp_server, VERA))
    anonymous.post("/account/logout/")
    browser = Client()

    login_page = browser.get("/account/login/").content.decode()
    assert "Email me a sign-in code" in login_page and 'href="/account/login/code/"' in login_page
    asked = browser.post("/account/login/code/", {"email": VERA})
    assert asked.status_code == 302 and asked["Location"] == "/account/login/code/confirm/"
    code_email = text_of(smtp_server.to(VERA)[-1])
    assert code_email.startswith(f"Hello from {settings.MAGAZINE_NAME}!"), "greeted by the magazine, not its domain"
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})\r?$", code_email, re.MULTILINE).group(1)
    signed_in = browser.post("/account/login/code/confirm/", {"code": code})

    assert signed_in.status_code == 302 and signed_in["Location"] == "/account/"
    assert signed_in_as(browser) == VERA


def test_a_wrong_code_does_not_sign_in_and_three_end_the_attempt(
    anonymous, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    press_the_button(anonymous, latest_confirmation_link(smtp_server, VERA))
    browser = Client()
    browser.post("/account/login/code/", {"email": VERA})

    answers = [browser.post("/account/login/code/confirm/", {"code": "BBB-BBB"}) for _ in range(3)]

    assert [answer.status_code for answer in answers] == [200, 200, 302]
    assert signed_in_as(browser) is None


def test_sign_in_codes_are_rate_limited_per_address_typed_in(anonymous, reader, smtp_server):
    answers = [Client().post("/account/login/code/", {"email": reader.email}) for _ in range(6)]

    assert [answer.status_code for answer in answers] == [302] * 5 + [200]
    assert "Too many" in answers[-1].content.decode()
    assert len(smtp_server.to(reader.email)) == 5


def test_staff_get_no_sign_in_code(admin, smtp_server):
    browser = Client()
    browser.post("/account/login/code/", {"email": admin.email})

    [received] = smtp_server.to(admin.email)
    assert "not have any record of such an account" in text_of(received), "what an address with no account is told"
    assert not re.search(r"^[A-Z0-9]{4}-[A-Z0-9]{4}\r?$", text_of(received), re.MULTILINE), "no code"
    for _ in range(3):  # the page asks for a code as for anyone (it tells nobody who has an account); none is right
        browser.post("/account/login/code/confirm/", {"code": "BBB-BBB"})
    assert signed_in_as(browser) is None


def test_a_free_reader_sets_a_password_on_the_account_page_and_the_link_no_longer_signs_in(
    anonymous, smtp_server, django_capture_on_commit_callbacks
):
    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    press_the_button(anonymous, latest_confirmation_link(smtp_server, VERA))

    answer = anonymous.post(
        "/account/password/set/", {"password1": "a long new passphrase", "password2": "a long new passphrase"}
    )

    assert answer.status_code == 302
    assert get_user_model().objects.get(email=VERA).check_password("a long new passphrase")
    assert "Change password" in anonymous.get("/account/").content.decode()
    assert Client().login(username=get_user_model().objects.get(email=VERA).username, password="a long new passphrase")


def test_an_address_confirmed_before_free_readers_had_accounts_gets_a_link_that_makes_one(
    anonymous, smtp_server, django_capture_on_commit_callbacks
):
    Recipient.objects.create(email=VERA, confirmed_at="2026-01-01T00:00:00Z")

    sign_up(anonymous, VERA, django_capture_on_commit_callbacks)
    press_the_button(anonymous, latest_confirmation_link(smtp_server, VERA))

    assert signed_in_as(anonymous) == VERA
    assert Recipient.objects.get(email=VERA).user.email == VERA


def test_two_free_readers_on_the_meter_never_share_a_copy_of_a_gated_page(
    smtp_server, django_capture_on_commit_callbacks, gated_article, meter_on
):
    other = ArticleFactory(access_level="subscribers", pages=[paragraphs("One.", "Two.", "Three.")])
    vera, walt = Client(), Client()
    for browser, email in ((vera, VERA), (walt, "walt@example.org")):
        sign_up(browser, email, django_capture_on_commit_callbacks)
        press_the_button(browser, latest_confirmation_link(smtp_server, email))
    assert walt.get(other.url).status_code == 200  # Walt's one metered read this month

    assert SEED_PAGE_3_SENTENCE in vera.get(gated_article.url + "3/").content.decode()
    walts = walt.get(gated_article.url + "3/").content.decode()

    assert SEED_PAGE_3_SENTENCE not in walts
    assert MeteredRead.objects.filter(reader__email="walt@example.org").count() == 1


def test_an_address_added_unconfirmed_to_someone_elses_account_does_not_sign_its_owner_in_there(
    smtp_server, django_capture_on_commit_callbacks
):
    """Mallory, a free reader, adds Vera's address to her own account (unverified); Vera then confirms
    her own sign-up. Vera's link makes Vera's account, never signs Vera's browser in to Mallory's, and
    leaves Mallory's claim on the address unverified."""
    mallory_browser = Client()
    sign_up(mallory_browser, "mallory@example.com", django_capture_on_commit_callbacks)
    press_the_button(mallory_browser, latest_confirmation_link(smtp_server, "mallory@example.com"))
    mallory = get_user_model().objects.get(email="mallory@example.com")
    EmailAddress.objects.create(user=mallory, email=VERA, verified=False, primary=False)

    vera_browser = Client()
    sign_up(vera_browser, VERA, django_capture_on_commit_callbacks)
    press_the_button(vera_browser, latest_confirmation_link(smtp_server, VERA))

    assert signed_in_as(vera_browser) == VERA
    assert not EmailAddress.objects.get(user=mallory, email=VERA).verified
    assert Recipient.objects.get(email=VERA).user.email == VERA


def test_a_sign_in_code_never_goes_to_an_address_another_account_holds_unverified(
    smtp_server, django_capture_on_commit_callbacks
):
    """Mallory adds Vera's address to her own account, unverified; Vera, who has no account, asks for a
    code. allauth alone would send Vera a code for Mallory's account and, once entered, verify Vera's
    address there (an institution's seat by its domain, say)."""
    mallory_browser = Client()
    sign_up(mallory_browser, "mallory@example.com", django_capture_on_commit_callbacks)
    press_the_button(mallory_browser, latest_confirmation_link(smtp_server, "mallory@example.com"))
    mallory = get_user_model().objects.get(email="mallory@example.com")
    EmailAddress.objects.create(user=mallory, email=VERA, verified=False, primary=False)

    vera_browser = Client()
    vera_browser.post("/account/login/code/", {"email": VERA})

    [received] = smtp_server.to(VERA)
    assert "not have any record of such an account" in text_of(received)
    assert not re.search(r"^[A-Z0-9]{4}-[A-Z0-9]{4}\r?$", text_of(received), re.MULTILINE), "no code"
    assert signed_in_as(vera_browser) is None
    assert not EmailAddress.objects.get(user=mallory, email=VERA).verified


def test_a_sign_in_code_never_goes_to_an_unverified_address_someone_signed_up_with_a_password(anonymous, smtp_server):
    """Mallory signs up with Vera's address and a password of her own; the address is never verified.
    A code entered by Vera would verify it in Mallory's account, which Mallory then opens with her password."""
    anonymous.post(
        "/account/signup/",
        {"email": VERA, "password1": "mallory's own passphrase", "password2": "mallory's own passphrase"},
    )
    assert EmailAddress.objects.filter(email=VERA, verified=False, primary=True).exists()

    vera_browser = Client()
    vera_browser.post("/account/login/code/", {"email": VERA})

    assert "not have any record of such an account" in text_of(smtp_server.to(VERA)[-1])
    assert not EmailAddress.objects.get(email=VERA).verified


def test_an_address_someone_signed_up_with_a_password_unconfirmed_gets_no_sign_in_and_no_second_account(
    anonymous, smtp_server, django_capture_on_commit_callbacks
):
    """Mallory signs up with Vera's address and a password of her own and never confirms it; Vera then
    signs up for the newsletter and presses her link. The link signs nobody in to Mallory's account and
    does not make Vera a second account with the same address: Vera is asked to log in (a password
    reset to her address proves it hers)."""
    anonymous.post(
        "/account/signup/",
        {"email": VERA, "password1": "mallory's own passphrase", "password2": "mallory's own passphrase"},
    )
    mallory = get_user_model().objects.get(email=VERA)

    vera_browser = Client()
    sign_up(vera_browser, VERA, django_capture_on_commit_callbacks)
    confirmed = press_the_button(vera_browser, latest_confirmation_link(smtp_server, VERA)).content.decode()

    assert "Log in to read with your account" in confirmed
    assert 'href="/account/password/reset/"' in confirmed, "the way in for the address's holder"
    assert signed_in_as(vera_browser) is None
    assert list(get_user_model().objects.filter(email__iexact=VERA)) == [mallory], "no second account"
    assert not EmailAddress.objects.get(email=VERA).verified
    assert Recipient.objects.get(email=VERA).user is None


def reset_link(smtp_server, email) -> str | None:
    text = text_of(smtp_server.to(email)[-1])
    found = re.search(r"http://testserver(/account/password/reset/key/\S+/)", text)
    return found.group(1) if found else None


def test_a_password_reset_never_opens_an_account_that_merely_added_the_address(
    smtp_server, django_capture_on_commit_callbacks
):
    """Mallory adds Vera's address to her own account, unverified; Vera asks for a password reset.
    allauth alone would send Vera a link into Mallory's account and verify the address there."""
    mallory_browser = Client()
    sign_up(mallory_browser, "mallory@example.com", django_capture_on_commit_callbacks)
    press_the_button(mallory_browser, latest_confirmation_link(smtp_server, "mallory@example.com"))
    mallory = get_user_model().objects.get(email="mallory@example.com")
    EmailAddress.objects.create(user=mallory, email=VERA, verified=False, primary=False)

    Client().post("/account/password/reset/", {"email": VERA})

    assert reset_link(smtp_server, VERA) is None
    assert "not have any record of such an account" in text_of(smtp_server.to(VERA)[-1])
    assert not EmailAddress.objects.get(user=mallory, email=VERA).verified


def test_the_address_holder_takes_back_an_account_someone_signed_up_with_it_by_a_password_reset(anonymous, smtp_server):
    """Mallory signs up with Vera's address and a password and never confirms it: a reset is Vera's way in."""
    anonymous.post(
        "/account/signup/",
        {"email": VERA, "password1": "mallory's own passphrase", "password2": "mallory's own passphrase"},
    )
    vera_browser = Client()
    vera_browser.post("/account/password/reset/", {"email": VERA})
    link = reset_link(smtp_server, VERA)
    assert link is not None

    form_page = vera_browser.get(link, follow=True)
    vera_browser.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link,
        {"password1": "vera's very own passphrase", "password2": "vera's very own passphrase"},
    )

    assert Client().login(
        username=get_user_model().objects.get(email=VERA).username, password="vera's very own passphrase"
    )
