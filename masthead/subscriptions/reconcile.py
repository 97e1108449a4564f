"""Reconciliation: the ledger's payments and refunds compared with what a gateway says it did.

Each gateway's records are read into one neutral shape (`GatewayCharge`), the sandbox's from its
own tables and Stripe's from its API, so one comparison serves both. A difference is anything
where money and ledger disagree: money taken with no ledger payment, a ledger payment the gateway
does not know or knows differently, a refund on one side only or of another amount. A charge the
gateway refunded in full (e.g. a lost checkout race given back) has no net money and is not one.

Some charges are not ledger payments (a gift's, keyed "gift:<token>"): the app that owns them,
above this one in the layers, registers a check for its key prefix (`register_other_charges`), and
its charges are compared with its own rows instead of being reported as charges without payment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from masthead.subscriptions.models import GatewayCustomer, Payment, SandboxCharge, format_money

if TYPE_CHECKING:
    from masthead.subscriptions.gateways.stripe import StripeGateway

REFUND_COUNTS = ("succeeded", "pending", "requires_action")  # refund statuses where money leaves


@dataclass(frozen=True)
class GatewayRefund:
    ref: str
    amount_cents: int | None  # None where the gateway keeps no per-refund amount (the sandbox)


@dataclass(frozen=True)
class GatewayCharge:
    ref: str
    customer_ref: str
    amount_cents: int
    currency: str
    succeeded: bool
    status: str
    idempotency_key: str
    refunded_cents: int
    refunds: tuple[GatewayRefund, ...] = field(default=())

    @property
    def amount(self) -> str:
        return format_money(self.amount_cents, self.currency)


@dataclass(frozen=True)
class Difference:
    kind: str
    message: str
    payment_id: int | None = None
    charge_ref: str = ""

    def __str__(self) -> str:
        return f"[{self.kind}] {self.message}"


@dataclass(frozen=True)
class OtherCharges:
    """Charges of another app: `check(gateway_name, charges)` compares them with its rows; `customers` names its
    gateway customers (Stripe's charges are read per customer)."""

    check: Callable[[str, list[GatewayCharge]], list[Difference]]
    customers: Callable[[str], Iterable[str]]


OTHER_CHARGES: dict[str, OtherCharges] = {}  # idempotency key prefix -> its app's check


def register_other_charges(
    key_prefix: str,
    check: Callable[[str, list[GatewayCharge]], list[Difference]],
    customers: Callable[[str], Iterable[str]],
) -> None:
    OTHER_CHARGES[key_prefix] = OtherCharges(check, customers)


def other_prefix(charge: GatewayCharge) -> str | None:
    return next((prefix for prefix in OTHER_CHARGES if charge.idempotency_key.startswith(prefix)), None)


def sandbox_charges() -> list[GatewayCharge]:
    """The sandbox gateway's own records."""
    return [
        GatewayCharge(
            ref=f"sandbox_ch_{charge.pk}",
            customer_ref=charge.customer_ref,
            amount_cents=charge.amount_cents,
            currency=charge.currency.upper(),
            succeeded=charge.succeeded,
            status="succeeded" if charge.succeeded else charge.decline_code,
            idempotency_key=charge.idempotency_key,
            refunded_cents=charge.refunded_cents,
            refunds=tuple(GatewayRefund(ref, None) for ref in charge.refund_refs),
        )
        for charge in SandboxCharge.objects.order_by("pk")
    ]


def stripe_charges(gateway: StripeGateway | None = None) -> list[GatewayCharge]:
    """The PaymentIntents of Masthead's Stripe customers, with their refunds."""
    # Here, not at the top: gifts register their check with this module when the web process starts,
    # and the Stripe library (some 8 MB) is for background work (tests/test_web_process_imports.py).
    from masthead.subscriptions.gateways.stripe import StripeGateway, metadata_key

    gateway = gateway or StripeGateway()
    customers = set(GatewayCustomer.objects.filter(gateway="stripe").values_list("customer_ref", flat=True))
    for other in OTHER_CHARGES.values():
        customers.update(other.customers("stripe"))
    intents = [intent for intent in gateway.payment_intents() if getattr(intent, "customer", None) in customers]
    intent_of_charge = {charge_id(intent): intent.id for intent in intents if getattr(intent, "latest_charge", None)}
    refunds_by_intent = defaultdict(list)
    for refund in gateway.refunds():
        intent_ref = getattr(refund, "payment_intent", None) or intent_of_charge.get(getattr(refund, "charge", None))
        if intent_ref and getattr(refund, "status", "succeeded") in REFUND_COUNTS:
            refunds_by_intent[intent_ref].append(GatewayRefund(refund.id, refund.amount))
    records = []
    for intent in intents:
        succeeded = intent.status == "succeeded"
        refunds = tuple(refunds_by_intent[intent.id])
        records.append(
            GatewayCharge(
                ref=intent.id,
                customer_ref=intent.customer,
                amount_cents=(getattr(intent, "amount_received", None) or intent.amount)
                if succeeded
                else intent.amount,
                currency=intent.currency.upper(),
                succeeded=succeeded,
                status=intent.status,
                idempotency_key=metadata_key(intent),
                refunded_cents=sum(refund.amount_cents or 0 for refund in refunds),
                refunds=refunds,
            )
        )
    return records


def charge_id(intent) -> str:
    """The id of a PaymentIntent's latest charge, whether the API gave the id or the object."""
    latest = intent.latest_charge
    return latest if isinstance(latest, str) else latest.id


GATEWAY_RECORDS = {"sandbox": sandbox_charges, "stripe": stripe_charges}


def reconcile(gateway_name: str, charges: list[GatewayCharge] | None = None) -> list[Difference]:
    """Every difference between the ledger and one gateway's records."""
    if charges is None:
        charges = GATEWAY_RECORDS[gateway_name]()
    others: dict[str, list[GatewayCharge]] = {prefix: [] for prefix in OTHER_CHARGES}
    for charge in charges:
        if (prefix := other_prefix(charge)) is not None:
            others[prefix].append(charge)
    charges = [charge for charge in charges if other_prefix(charge) is None]
    by_ref = {charge.ref: charge for charge in charges}
    by_key = {charge.idempotency_key: charge for charge in charges if charge.idempotency_key}
    payments = (
        Payment.objects.filter(subscription__gateway=gateway_name)
        .select_related("subscription__reader")
        .prefetch_related("refunds")
        .order_by("pk")
    )
    differences: list[Difference] = []
    matched: set[str] = set()
    for payment in payments:
        charge = by_ref.get(payment.gateway_charge_ref) or by_key.get(payment.idempotency_key)
        if charge is not None:
            matched.add(charge.ref)
        differences += compare_payment(payment, charge)
    for charge in charges:
        if charge.ref in matched or not charge.succeeded:
            continue
        if charge.amount_cents - charge.refunded_cents > 0:
            differences.append(
                Difference(
                    "charge_without_payment",
                    f"{gateway_name} charge {charge.ref} of {charge.amount} (customer {charge.customer_ref}, "
                    f"{format_money(charge.refunded_cents, charge.currency)} refunded) has no payment in the ledger.",
                    charge_ref=charge.ref,
                )
            )
    for prefix, other in OTHER_CHARGES.items():
        differences += other.check(gateway_name, others[prefix])
    return differences


def compare_payment(payment: Payment, charge: GatewayCharge | None) -> list[Difference]:
    """The differences between one ledger payment (with its refunds) and its gateway charge."""
    who = f"Payment #{payment.pk} ({payment.amount}, {payment.status}, {payment.subscription.reader.email})"

    def difference(kind: str, message: str) -> Difference:
        return Difference(kind, f"{who}: {message}", payment.pk, charge.ref if charge else payment.gateway_charge_ref)

    if charge is None:
        if payment.status == Payment.SUCCEEDED:
            return [
                difference("payment_missing_at_gateway", f"the gateway has no charge {payment.gateway_charge_ref}.")
            ]
        return []  # a pending or failed payment that never reached the gateway moved no money
    if payment.status == Payment.PENDING:
        return [
            difference("payment_pending", f"still pending, but the gateway's charge {charge.ref} is {charge.status}.")
        ]
    if (payment.status == Payment.SUCCEEDED) != charge.succeeded:
        return [difference("status_mismatch", f"the gateway's charge {charge.ref} is {charge.status}.")]
    if not charge.succeeded:
        return []
    found = []
    if (payment.amount_cents, payment.currency.upper()) != (charge.amount_cents, charge.currency):
        found.append(difference("amount_mismatch", f"the gateway's charge {charge.ref} is {charge.amount}."))
    found += compare_refunds(payment, charge, difference)
    return found


def compare_refunds(payment: Payment, charge: GatewayCharge, difference) -> list[Difference]:
    found = []
    gateway_refunds = {refund.ref: refund for refund in charge.refunds}
    ledger_refs = set()
    for refund in payment.refunds.all():
        ledger_refs.add(refund.gateway_refund_ref)
        at_gateway = gateway_refunds.get(refund.gateway_refund_ref)
        if at_gateway is None:
            found.append(
                difference(
                    "refund_missing_at_gateway",
                    f"refund #{refund.pk} of {refund.amount} ({refund.gateway_refund_ref}) is not at the gateway.",
                )
            )
        elif at_gateway.amount_cents is not None and at_gateway.amount_cents != refund.amount_cents:
            found.append(
                difference(
                    "refund_amount_mismatch",
                    f"refund #{refund.pk} is {refund.amount} in the ledger and "
                    f"{format_money(at_gateway.amount_cents, payment.currency)} at the gateway.",
                )
            )
    for ref, refund in gateway_refunds.items():
        if ref not in ledger_refs:
            amount = "" if refund.amount_cents is None else f" of {format_money(refund.amount_cents, payment.currency)}"
            found.append(difference("refund_missing_in_ledger", f"gateway refund {ref}{amount} has no ledger refund."))
    ledger_total = sum(refund.amount_cents for refund in payment.refunds.all())
    if not found and ledger_total != charge.refunded_cents:
        found.append(
            difference(
                "refunded_total_mismatch",
                f"{format_money(ledger_total, payment.currency)} refunded in the ledger, "
                f"{format_money(charge.refunded_cents, payment.currency)} at the gateway.",
            )
        )
    return found
