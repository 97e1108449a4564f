"""After the gift is bought: the recipient claims it, the giver resends or takes it back, staff look on."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from masthead.access.entitlements import entitlements_for
from masthead.circulation.services import close_issue, print_subscribers_on
from masthead.gifts import emails, tasks
from masthead.gifts.models import Gift
from masthead.gifts.services.claims import claim_gift
from masthead.subscriptions.gateways.sandbox import SandboxGateway
from masthead.subscriptions.models import SandboxCharge, Subscription, add_months
from tests.billing.pages import (
    BROOKLYN_FORM,
    LONDON_FORM,
    START,
    ReaderBrowser,
    address_fields,
    committed,
    visible_text,
)
from tests.factories import IssueFactory
from tests.gifts.conftest import claim_link, emails_to, give

pytestmark = pytest.mark.django_db
PASSWORD = "a long gift of reading"


@pytest.fixture
def giver_client(reader_client):
    """Rita has given Gwen six months of Digital, emailed today."""
    give(reader_client, months=6)
    mail.outbox[:] = [message for message in mail.outbox if "has given you" in message.subject]
    return reader_client


def test_a_new_recipient_sets_a_password_and_reads_for_the_gift_s_months_then_not(giver_client, run_renewals, clock):
    recipient = ReaderBrowser()
    link = claim_link("gwen@example.com")
    page = recipient.get(link)
    assert "Rita Reader has given you 6 months of The Masthead Review" in visible_text(page)
    assert "Happy birthday!" in visible_text(page)

    done = recipient.post(link, {"password1": PASSWORD, "password2": PASSWORD}, follow=True)

    assert done.redirect_chain[-1][0] == "/account/"
    assert "Your gift is yours: Digital, monthly until September 10, 2027." in visible_text(done)
    gift = Gift.objects.get()
    gwen = gift.recipient
    assert gwen.email == "gwen@example.com" and gwen.check_password(PASSWORD)
    assert entitlements_for(gwen).digital and not entitlements_for(gwen).print
    assert gift.subscription.current_period_end == add_months(START, 6)
    assert "A gift from Rita Reader: 6 months" in visible_text(recipient.get("/account/"))
    assert "Claimed March 10, 2027" in visible_text(giver_client.get("/account/"))

    clock.move_to(add_months(START, 6) + datetime.timedelta(hours=1))
    run_renewals()
    assert not entitlements_for(gwen).digital
    assert not SandboxCharge.objects.exclude(pk=gift_charge(gift)).exists()  # never renewed, never charged


def gift_charge(gift: Gift) -> int:
    return int(gift.charge_ref.removeprefix("sandbox_ch_"))


def test_a_new_recipient_s_passwords_must_match_and_be_good_enough(giver_client):
    link = claim_link("gwen@example.com")

    page = ReaderBrowser().post(link, {"password1": PASSWORD, "password2": "another"})

    assert "The two passwords differ." in visible_text(page)
    weak = ReaderBrowser().post(link, {"password1": "123", "password2": "123"})
    assert "too short" in visible_text(weak)
    assert Gift.objects.get().claimed_at is None


def test_a_recipient_with_an_account_logs_in_and_claims_it(gwen, giver_client):
    link = claim_link("gwen@example.com")
    visitor = ReaderBrowser()
    page = visitor.get(link)
    assert "You already have an account with gwen@example.com" in visible_text(page)
    assert 'name="password1"' not in page.content.decode()

    logged_in = visitor.post(
        "/account/login/?next=" + link, {"login": "gwen@example.com", "password": "correct horse battery staple"}
    )
    assert logged_in["Location"] == link
    visitor.post(link)

    assert Gift.objects.get().recipient == gwen
    assert entitlements_for(gwen).digital


def test_a_subscriber_s_gift_lengthens_the_subscription_so_the_renewal_comes_later(subscriber, giver_client):
    subscription = Subscription.objects.get(reader=subscriber)
    renews_on = subscription.current_period_end

    client = ReaderBrowser()
    client.force_login(subscriber)
    client.post(claim_link("gwen@example.com"))

    subscription.refresh_from_db()
    assert subscription.current_period_end == add_months(renews_on, 6)
    assert Subscription.objects.filter(reader=subscriber).count() == 1
    assert subscription.events.filter(kind="gift_added").exists()


def test_the_claim_link_works_once(giver_client, gwen, make_user):
    link = claim_link("gwen@example.com")
    first = ReaderBrowser()
    first.force_login(gwen)
    first.post(link)

    mallory = make_user("mallory")
    someone_else = ReaderBrowser()
    someone_else.force_login(mallory)
    again = someone_else.post(link)

    assert again.status_code == 410
    assert "This gift has already been claimed." in visible_text(again)
    assert not entitlements_for(mallory).digital
    assert Gift.objects.get().recipient == gwen


def test_an_unknown_claim_link_is_not_found(anonymous):
    assert anonymous.get("/gifts/claim/not-a-real-token/").status_code == 404


def test_the_giver_sends_the_email_again_but_not_twice_in_a_few_minutes(giver_client, clock):
    gift = Gift.objects.get()
    just_sent = giver_client.post(f"/gifts/{gift.pk}/resend/", follow=True)
    assert "you can send it again in 10 minutes" in visible_text(just_sent)
    clock.shift(datetime.timedelta(minutes=10))

    again = giver_client.post(f"/gifts/{gift.pk}/resend/", follow=True)

    assert "We have emailed your gift to gwen@example.com again." in visible_text(again)
    assert len(emails_to("gwen@example.com")) == 2
    too_soon = giver_client.post(f"/gifts/{gift.pk}/resend/", follow=True)
    assert "you can send it again in 10 minutes" in visible_text(too_soon)
    assert len(emails_to("gwen@example.com")) == 2
    assert len(emails_to("gwen@example.com")) == 2
    clock.shift(datetime.timedelta(minutes=11))
    giver_client.post(f"/gifts/{gift.pk}/resend/")
    assert len(emails_to("gwen@example.com")) == 3


def test_nobody_but_the_giver_resends_or_refunds_a_gift(subscriber_client, giver_client, clock):
    gift = Gift.objects.get()
    clock.shift(datetime.timedelta(minutes=11))

    assert subscriber_client.post(f"/gifts/{gift.pk}/resend/").status_code == 404
    assert subscriber_client.post(f"/gifts/{gift.pk}/refund/").status_code == 404
    assert len(emails_to("gwen@example.com")) == 1


def test_an_unclaimed_gift_is_refunded_in_full_once_and_its_link_stops_working(giver_client, reader):
    gift = Gift.objects.get()

    done = giver_client.post(f"/gifts/{gift.pk}/refund/", follow=True)
    giver_client.post(f"/gifts/{gift.pk}/refund/")  # a second click

    assert "has been refunded: $54.00 is on its way back to your card." in visible_text(done)
    charge = SandboxCharge.objects.get()
    assert charge.refunded_cents == 5400 and len(charge.refund_refs) == 1
    assert "Refunded" in visible_text(giver_client.get("/account/"))
    assert len([m for m in emails_to(reader.email) if "refunded" in m.subject]) == 1
    gone = ReaderBrowser().get(claim_link("gwen@example.com"))
    assert gone.status_code == 410 and "withdrawn by the person who gave it" in visible_text(gone)


def test_a_gift_refund_the_gateway_refuses_stays_under_way_and_the_giver_and_the_delivery_run_may_ask_again(
    giver_client,
):
    gift = Gift.objects.get()
    # Support gave a dollar back by hand at the gateway, so the gift's full refund is more than is left.
    SandboxGateway().refund(charge_ref=gift.charge_ref, amount_cents=100, idempotency_key="by-hand:1")

    refused = giver_client.post(f"/gifts/{gift.pk}/refund/", follow=True)

    assert "The refund is larger than what is left of the charge." in visible_text(refused)
    account = visible_text(giver_client.get("/account/"))
    assert "Refund under way" in account and "Refund ($54.00)" in account
    assert "Refunded" not in account

    again = giver_client.post(f"/gifts/{gift.pk}/refund/", follow=True)
    result = tasks.deliver_due_gifts.enqueue().return_value

    assert "The refund is larger than what is left of the charge." in visible_text(again)
    assert result["refunds_finished"] == 0
    assert SandboxCharge.objects.get().refunded_cents == 100
    assert Gift.objects.get().state == "refund under way"
    # The gateway takes it once the by-hand refund is undone (as support would, by giving the charge back).
    SandboxCharge.objects.update(refunded_cents=0, refund_refs=[])

    assert tasks.deliver_due_gifts.enqueue().return_value["refunds_finished"] == 1
    giver_client.post(f"/gifts/{gift.pk}/refund/")  # a late click refunds nothing more

    assert SandboxCharge.objects.get().refunded_cents == 5400
    account = visible_text(giver_client.get("/account/"))
    assert "Refunded" in account and "Refund ($54.00)" not in account


def test_a_claimed_gift_is_not_refunded(giver_client, gwen):
    gift = Gift.objects.get()
    recipient = ReaderBrowser()
    recipient.force_login(gwen)
    recipient.post(claim_link("gwen@example.com"))

    refused = giver_client.post(f"/gifts/{gift.pk}/refund/", follow=True)

    assert "This gift has been claimed, so it can no longer be refunded." in visible_text(refused)
    assert SandboxCharge.objects.get().refunded_cents == 0
    assert entitlements_for(gwen).digital


def test_sixty_days_after_paying_an_unclaimed_gift_is_no_longer_refunded(giver_client, clock):
    gift = Gift.objects.get()
    clock.move_to(START + datetime.timedelta(days=60, minutes=1))

    refused = giver_client.post(f"/gifts/{gift.pk}/refund/", follow=True)

    assert "The 60-day money-back guarantee for this gift ended on May 9, 2027." in visible_text(refused)
    assert SandboxCharge.objects.get().refunded_cents == 0


def test_a_gift_delivered_months_later_is_refundable_for_sixty_days_from_its_delivery_day(reader_client, clock):
    give(reader_client, deliver_on=START.date() + datetime.timedelta(days=200), email="gus@example.com")
    gift = Gift.objects.get(recipient_email="gus@example.com")
    clock.move_to(START + datetime.timedelta(days=100))

    assert "Refund ($54.00) by Nov 25" in visible_text(reader_client.get("/account/"))

    clock.move_to(datetime.datetime(2027, 11, 25, 0, 1, tzinfo=datetime.UTC))
    refused = reader_client.post(f"/gifts/{gift.pk}/refund/", follow=True)

    assert "The 60-day money-back guarantee for this gift ended on November 25, 2027." in visible_text(refused)

    clock.move_to(datetime.datetime(2027, 11, 24, 23, 59, tzinfo=datetime.UTC))
    done = reader_client.post(f"/gifts/{gift.pk}/refund/", follow=True)

    assert "has been refunded: $54.00 is on its way back to your card." in visible_text(done)
    assert SandboxCharge.objects.get().refunded_cents == 5400


def test_a_print_gift_s_recipient_is_on_the_mailing_list_at_their_own_address_from_the_next_close(
    reader_client, gwen, clock
):
    # Issues close 7 days before their cover date: one closed the day before the claim, the next after it.
    before = IssueFactory(cover_date=datetime.date(2027, 3, 15), cover_image=None)
    after = IssueFactory(cover_date=datetime.date(2027, 4, 1), cover_image=None)
    give(reader_client, edition="print", months=3, address=BROOKLYN_FORM)
    recipient = ReaderBrowser()
    recipient.force_login(gwen)
    # Gwen corrects the address the giver typed: she lives in London.
    recipient.post(claim_link("gwen@example.com"), address_fields({**LONDON_FORM, "name": "Gwen Gifted"}))
    assert entitlements_for(gwen).print

    clock.move_to(datetime.datetime(2027, 3, 27, tzinfo=datetime.UTC))
    on_the_list = [(row.name, row.city, row.country) for row in close_issue(after).rows.all()]
    assert ("Gwen Gifted", "London", "GB") in on_the_list
    assert all(row.name != "Gwen Gifted" for row in close_issue(before).rows.all())
    assert print_subscribers_on(START + datetime.timedelta(days=1)).rows[0].postal_code == "SW1A 2AA"


def test_a_print_gift_is_not_claimed_without_an_address(reader_client, gwen):
    give(reader_client, edition="print", months=3, address=BROOKLYN_FORM)
    recipient = ReaderBrowser()
    recipient.force_login(gwen)

    page = recipient.post(claim_link("gwen@example.com"), address_fields({**BROOKLYN_FORM, "line1": ""}))

    assert page.status_code == 200 and "This field is required." in visible_text(page)
    assert Gift.objects.get().claimed_at is None


def test_circulation_staff_see_gifts_and_resend_one_and_readers_may_not(
    giver_client, circulation_client, reader_client, clock
):
    gift = Gift.objects.get()
    clock.shift(datetime.timedelta(minutes=11))

    listing = circulation_client.get("/admin/gifts/")
    assert listing.status_code == 200 and "gwen@example.com" in visible_text(listing)
    detail = circulation_client.get(f"/admin/gifts/{gift.pk}/")
    assert "6 months of Digital, monthly: $54.00" in visible_text(detail)
    circulation_client.post(f"/admin/gifts/{gift.pk}/resend/")
    assert len(emails_to("gwen@example.com")) == 2
    assert reader_client.get("/admin/gifts/").status_code in (302, 403)


def test_the_claim_door_stops_a_bot_guessing_links(anonymous, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "gift_claim": {"views": ["gifts:claim"], "per_address": "3/h"}}

    answers = [anonymous.get(f"/gifts/claim/guess-{number}/").status_code for number in range(4)]

    assert answers == [404, 404, 404, 429]


def test_the_giver_is_emailed_once_when_the_gift_is_claimed_however_often_the_claim_is_sent(giver_client, reader, gwen):
    gift = Gift.objects.get()
    recipient = ReaderBrowser()
    recipient.force_login(gwen)
    link = claim_link("gwen@example.com")

    def notices() -> list:
        return [message for message in emails_to(reader.email) if "claimed" in message.subject]

    recipient.post(link)
    assert len(notices()) == 1
    recipient.post(link)  # a second press, or the browser sending the form again
    with committed():
        claim_gift(gift.pk, gwen)  # a retried claim
    emails.send_claimed_notice.enqueue(gift.pk)  # a retried task

    [notice] = notices()
    assert notice.subject == f"The Masthead Review: your gift {gift.number} has been claimed"
    assert "Gwen Gifted has claimed your gift" in notice.body and "6 months of Digital, monthly" in notice.body
    assert "March 10, 2027" in notice.body and "/account/#gifts" in notice.body
    [(html, mimetype)] = notice.alternatives
    assert mimetype == "text/html" and "Gwen Gifted has claimed your gift" in html


def test_the_gift_emails_come_as_text_and_html_and_the_html_escapes_what_the_giver_typed(reader_client, reader):
    give(reader_client, name="Gwen <b>Gifted</b>", message="<script>alert(1)</script> & love")

    [gift_email] = emails_to("gwen@example.com")
    [receipt] = emails_to(reader.email)
    html = gift_email.alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; love" in html
    assert "Dear Gwen &lt;b&gt;Gifted&lt;/b&gt;" in html
    assert "<script>alert(1)</script> & love" in gift_email.body  # plain text is shown as typed
    assert "For Gwen <b>Gifted</b> <gwen@example.com>" in receipt.body
    assert receipt.alternatives[0][1] == "text/html" and "Gwen &lt;b&gt;Gifted&lt;/b&gt;" in receipt.alternatives[0][0]


@pytest.mark.parametrize(
    ("refund_on", "reads_until"),
    [
        # Sam's month runs to April 10, the gift's six months after it (to October 10). Refunded on 30 March,
        # the whole gift is left: six months (183 days) from then; the 11 refunded days are not given too.
        (datetime.datetime(2027, 3, 30, 9, 0, tzinfo=datetime.UTC), "September 29, 2027"),
        # On 1 May, 21 days of the gift are used: what is left runs to where the gift ended.
        (datetime.datetime(2027, 5, 1, 9, 0, tzinfo=datetime.UTC), "October 10, 2027"),
    ],
)
def test_a_recipient_who_takes_the_guarantee_on_their_own_subscription_keeps_what_is_left_of_the_gift(
    subscriber, giver_client, clock, run_renewals, refund_on, reads_until
):
    sam = ReaderBrowser()
    sam.force_login(subscriber)
    sam.post(claim_link("gwen@example.com"))
    clock.move_to(refund_on)

    form = visible_text(sam.get("/account/refund/"))
    done = visible_text(sam.post("/account/refund/", follow=True))

    assert f"The gift you were given stays yours: what is left of it runs until {reads_until}." in form
    assert "Your money is on its way back, in full. Your subscription has ended." in done
    assert f"What is left of your gift is yours until {reads_until}." in done
    sams = SandboxCharge.objects.exclude(pk=gift_charge(Gift.objects.get()))
    assert [charge.refunded_cents for charge in sams] == [900]
    [email] = [message for message in mail.outbox if "refund" in message.subject and subscriber.email in message.to]
    assert f"What is left of the gift you were given is yours until {reads_until}" in email.body
    assert entitlements_for(subscriber).digital
    kept = Subscription.objects.get(reader=subscriber, status=Subscription.ACTIVE)
    assert kept.complimentary and f"{kept.current_period_end:%B %-d, %Y}" == reads_until

    clock.move_to(kept.current_period_end + datetime.timedelta(hours=1))
    run_renewals()
    assert not entitlements_for(subscriber).digital
    assert sams.count() == 1  # never charged again


def test_a_digital_gift_on_a_print_subscription_becomes_its_worth_in_days_of_the_reader_s_own_plan(
    print_subscriber, giver_client
):
    pat = ReaderBrowser()
    pat.force_login(print_subscriber)
    link = claim_link("gwen@example.com")

    page = visible_text(pat.get(link))
    done = visible_text(pat.post(link, follow=True))

    # Six months of Digital at its list price ($9 a month) against Digital + Print's ($150 a year, $12.50 a
    # month): 0.72 of the 184 days from Pat's renewal on 10 March 2028 is 132.48, so 133 days.
    worth = "You read Digital + Print, yearly: this gift of Digital adds 133 days to it, its worth at list prices."
    assert worth in page
    assert "Your gift is yours: Digital + Print, yearly until July 21, 2028." in done
    subscription = Subscription.objects.get(reader=print_subscriber)
    assert subscription.current_period_end == datetime.datetime(2028, 7, 21, 9, 0, tzinfo=datetime.UTC)
    assert subscription.plan.slug == "digital-print-yearly"
    assert "Next renewal July 21, 2028: $150.00" in visible_text(pat.get("/account/"))


def test_a_digital_gift_on_a_digital_subscription_still_adds_its_months(subscriber, giver_client):
    sam = ReaderBrowser()
    sam.force_login(subscriber)
    link = claim_link("gwen@example.com")

    assert "adds" not in visible_text(sam.get(link))
    sam.post(link)

    assert Subscription.objects.get(reader=subscriber).current_period_end == add_months(START, 7)


def test_a_recipient_whose_address_someone_added_to_their_own_account_still_makes_hers_and_claims(
    giver_client, make_user
):
    """Mallory added gwen@example.com, unverified, to her own account: the link still makes Gwen's own."""
    from allauth.account.models import EmailAddress

    mallory = make_user("mallory")
    EmailAddress.objects.create(user=mallory, email="gwen@example.com", verified=False, primary=False)
    recipient = ReaderBrowser()
    link = claim_link("gwen@example.com")
    assert 'name="password1"' in recipient.get(link).content.decode(), "offered an account of her own, not a login"

    done = recipient.post(link, {"password1": PASSWORD, "password2": PASSWORD}, follow=True)

    assert "Your gift is yours" in visible_text(done)
    gift = Gift.objects.get()
    assert gift.recipient != mallory and gift.recipient.email == "gwen@example.com"
    assert not EmailAddress.objects.get(user=mallory, email="gwen@example.com").verified
