"""Reading readers and subscriptions from a CSV: our own columns, or Ghost's members export as it is.

Our columns (a header row; only `email` is required):
email, name, plan, status, current_period_start, current_period_end, started_at, customer_id,
payment_method_id, card_brand, card_last4, address_name, address_line1, address_line2, city, region,
postal_code, country.
`status`: active (or past_due, trialing: renewed on the card on file when the period ends), cancelled
(paid up, never charged again: access until the period ends), complimentary (free until the period
ends), free / ended / empty (a reader account only).

Ghost's members CSV (id, email, name, note, subscribed_to_emails, complimentary_plan,
stripe_customer_id, created_at, deleted_at, labels, tiers or products) has neither period ends nor
cards: free members become readers; paid and complimentary ones become subscriptions only when the
publisher adds `current_period_end` and, for paid ones, `payment_method_id` from Stripe's subscriptions
export. Their plan is the `plan` column's; else, given the site's Ghost export, the one their tier's price
is (ghost_tiers.MemberPlans; an `interval` column says which of a tier's two prices); else --plan for a
member with no paid tier. Otherwise the reader is created and the report says why the subscription was not.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.dateparse import parse_date, parse_datetime

from masthead.moving.commands import Step
from masthead.moving.ghost_tiers import MemberPlans
from masthead.moving.report import ImportReport, RecordProblem, Where
from masthead.subscriptions.addresses import COUNTRIES, postal_code_problem
from masthead.subscriptions.models import Plan
from masthead.subscriptions.services.errors import AddressRequired, AlreadySubscribed
from masthead.subscriptions.services.imports import MigratedSubscription, MigrationRefused, import_subscription
from masthead.subscriptions.services.ledger import AddressInput

RENEWING = {"active", "past_due", "trialing", "paid"}
CANCELLED = {"cancelled", "canceled"}
COMPLIMENTARY = {"complimentary", "comped", "comp"}
READER_ONLY = {"", "free", "ended", "expired", "none"}
ALIASES = {"gateway_customer_id": "customer_id", "stripe_customer_id": "customer_id",
           "default_payment_method_id": "payment_method_id", "products": "tiers", "plan interval": "interval",
           "plan_interval": "interval", "billing_interval": "interval"}  # fmt: skip


@dataclass(frozen=True)
class SubscriberOptions:
    gateway: str
    plan: str = ""
    member_plans: MemberPlans | None = None  # Ghost's tiers and our plans, when the site's export is given

    @staticmethod
    def add_arguments(parser) -> None:
        parser.add_argument(
            "--gateway",
            default=settings.PAYMENT_GATEWAY,
            help="Where the customer and card ids are kept (stripe; sandbox for trials). Default: PAYMENT_GATEWAY.",
        )
        parser.add_argument("--plan", default="", help="Our plan's slug for rows that name none (Ghost's CSV).")

    @classmethod
    def from_options(cls, options: dict, *, member_plans: MemberPlans | None = None) -> SubscriberOptions:
        return cls(gateway=options["gateway"], plan=options["plan"], member_plans=member_plans)


def subscriber_steps(path: Path, report: ImportReport, options: SubscriberOptions) -> list[Step]:
    """One step per row (its reader, then its subscription); rows we cannot read are reported now."""
    steps: list[Step] = []
    plans = {plan.slug: plan for plan in Plan.objects.all()}
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = csv.DictReader(file)
        header = [ALIASES.get(name.strip().lower(), name.strip().lower()) for name in rows.fieldnames or []]
        if "email" not in header:
            raise RecordProblem(f"{path}:1: the header has no email column")
        rows.fieldnames = header
        ghost = "complimentary_plan" in header and "subscribed_to_emails" in header
        try:
            for row in rows:
                where = Where(f"row {row.get('email') or '?'}", rows.line_num)
                try:
                    row_read = read_row(row, ghost, plans, options, where)
                    steps.append((where, "readers", partial(import_row, row_read, report)))
                except RecordProblem as problem:
                    report.problem(where, str(problem), kind="readers")
        except (csv.Error, UnicodeDecodeError) as error:
            raise RecordProblem(f"{path}:{rows.line_num}: cannot read the CSV ({error})") from None
    return steps


@dataclass(frozen=True)
class Row:
    where: Where
    email: str
    first_name: str
    last_name: str
    source_key: str
    subscription: MigratedSubscription | None
    why_no_subscription: str = ""


def read_row(row: dict, ghost: bool, plans: dict[str, Plan], options: SubscriberOptions, where: Where) -> Row:
    value = {key: (text or "").strip() for key, text in row.items() if key}
    email = value.get("email", "").lower()
    try:
        validate_email(email)
    except ValidationError:
        raise RecordProblem(f"the email {value.get('email')!r} is not an address") from None
    first, _, last = (
        value.get("name", "").rpartition(" ") if " " in value.get("name", "") else (value.get("name", ""), "", "")
    )
    if ghost:
        if value.get("deleted_at"):
            raise RecordProblem("was deleted in Ghost")
        status = ghost_status(value)
        source_key = f"ghost-member:{value.get('id') or email}"
    else:
        status = value.get("status", "").lower()
        source_key = f"csv:{email}"
    if status in READER_ONLY:
        return Row(where, email, first[:150], last[:150], source_key, None)
    if status not in RENEWING | CANCELLED | COMPLIMENTARY:
        raise RecordProblem(f"has the status {status!r}; expected active, cancelled, complimentary or free")
    missing = [name for name in ("current_period_end",) if not value.get(name)]
    if status in RENEWING:
        missing += [name for name in ("customer_id", "payment_method_id") if not value.get(name)]
    plan, no_plan = (None, "") if value.get("plan") else tier_plan(value, ghost, options, status)
    plan_slug = value.get("plan") or (plan.slug if plan else "") or ("" if no_plan else options.plan)
    if not plan_slug and not no_plan:
        missing.append("plan")
    if missing or no_plan:
        why = f"the row has no {', '.join(missing)}" if missing else ""
        if missing and ghost:
            why += " (Ghost's CSV has none; add them from Stripe's subscriptions export, see docs/migration.md)"
        why = "; ".join(part for part in (why, no_plan) if part)
        return Row(where, email, first[:150], last[:150], source_key, None, f"no subscription: {why}")
    plan = plans.get(plan_slug)
    if plan is None:
        raise RecordProblem(f"names the plan {plan_slug!r}; ours are {', '.join(sorted(plans))}")
    period_end = read_time(value["current_period_end"], "current_period_end")
    return Row(
        where,
        email,
        first[:150],
        last[:150],
        source_key,
        MigratedSubscription(
            source_key=source_key,
            plan=plan,
            current_period_end=period_end,
            current_period_start=read_time(value["current_period_start"], "current_period_start")
            if value.get("current_period_start")
            else None,
            started_at=read_time(value["started_at"], "started_at") if value.get("started_at") else None,
            gateway=options.gateway if status not in COMPLIMENTARY else "",
            customer_ref=value.get("customer_id", ""),
            payment_method_ref=value.get("payment_method_id", ""),
            card_brand=value.get("card_brand", ""),
            card_last4=value.get("card_last4", ""),
            complimentary=status in COMPLIMENTARY,
            cancel_at_period_end=status in CANCELLED,
            address=read_address(value, value.get("name", "")),
        ),
    )


def tier_plan(value: dict, ghost: bool, options: SubscriberOptions, status: str) -> tuple[Plan | None, str]:
    """The plan a Ghost member's tier is (given the site's export), or None and why not; None, "" without a tier."""
    if not (ghost and options.member_plans and value.get("tiers")):
        return None, ""
    return options.member_plans.plan_for(
        value["tiers"],
        interval_text=value.get("interval", ""),
        customer_id=value.get("customer_id", ""),
        complimentary=status in COMPLIMENTARY,
    )


def ghost_status(value: dict) -> str:
    if value.get("complimentary_plan", "").lower() in ("true", "1", "yes"):
        return "complimentary"
    if value.get("customer_id"):
        return value.get("status", "").lower() or "active"
    return "free"


def read_time(text: str, column: str) -> datetime.datetime:
    moment = parse_datetime(text.replace(" ", "T")) if ("T" in text or " " in text) else None
    if moment is None:
        day = parse_date(text) if len(text) == 10 else None
        if day is None:
            raise RecordProblem(f"{column} {text!r} is not a date such as 2027-01-31 or 2027-01-31T10:00:00Z")
        moment = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def read_address(value: dict, name: str) -> AddressInput | None:
    if not value.get("address_line1"):
        return None
    country = value.get("country", "").upper()
    if country not in COUNTRIES:
        raise RecordProblem(f"the country {value.get('country')!r} is not one we mail to (two letters, e.g. GB)")
    for column in ("city", "postal_code"):
        if not value.get(column):
            raise RecordProblem(f"the address has no {column}")
    problem = postal_code_problem(country, value["postal_code"])
    if problem:
        raise RecordProblem(f"the postal code {value['postal_code']!r} does not fit {country}: {problem}")
    return AddressInput(
        name=(value.get("address_name") or name or value.get("email", ""))[:200],
        line1=value["address_line1"][:200],
        line2=value.get("address_line2", "")[:200],
        city=value["city"][:100],
        region=value.get("region", "")[:100],
        postal_code=value["postal_code"][:20],
        country=country,
    )


def reader_for(row: Row, report: ImportReport):
    """The reader with this email, or a new account (no password yet: they set one by 'forgot password')."""
    from allauth.account.models import EmailAddress

    User = get_user_model()
    reader = User.objects.filter(email__iexact=row.email).first()
    if reader is not None:
        report.count("readers", "unchanged")
        return reader
    username, number = row.email[:150], 1
    while User.objects.filter(username=username).exists():
        number += 1
        username = f"{row.email[:140]}-{number}"
    reader = User(username=username, email=row.email, first_name=row.first_name, last_name=row.last_name)
    reader.set_unusable_password()
    reader.save()
    # The old platform confirmed the address (Ghost by magic link), so no confirmation email is sent again.
    EmailAddress.objects.create(user=reader, email=row.email, verified=True, primary=True)
    report.count("readers", "created")
    return reader


def import_row(row: Row, report: ImportReport) -> str:
    reader = reader_for(row, report)
    if row.subscription is None:
        if row.why_no_subscription:
            report.problem(row.where, row.why_no_subscription, kind="subscriptions")
        return "reader only"
    try:
        _, outcome = import_subscription(reader, row.subscription)
    except (MigrationRefused, AddressRequired) as refusal:
        raise RecordProblem(f"no subscription: {refusal}") from None
    except AlreadySubscribed:
        raise RecordProblem("no subscription: the reader already subscribes here; left as it is") from None
    return report.count("subscriptions", outcome)
