"""Every write to the ledger, one module per workflow; import from here or from the module itself.

Each function is atomic where it writes, logs a SubscriptionEvent in the same transaction, and
sends its emails on commit. Gateway calls happen outside transactions (no slow I/O while rows are
locked) and carry idempotency keys, so a retry after a crash reuses the first attempt's result.
Subscription rows are always locked through `ledger.locked_subscription`, one at a time.

- `errors`: the refusals (BillingError and its kinds), in one place
- `ledger`: the event log, row locks, addresses, stored cards, receipts
- `checkout`: buying (`do_subscribe`)
- `renewals`: charging due subscriptions, retries, crashed runs, reminders
- `changes`: cancel, resume, change plan or address
- `refunds`: the money-back guarantee and staff refunds
- `staff`: complimentary subscriptions, extended periods
"""

from masthead.subscriptions.services.changes import (
    CANCEL_REASONS,
    do_cancel,
    do_change_address,
    do_change_plan,
    do_resume,
)
from masthead.subscriptions.services.checkout import (
    CHECKOUT_CLAIM,
    CHECKOUT_POLL_SECONDS,
    CHECKOUT_WAIT_SECONDS,
    claim_checkout,
    close_checkout,
    do_subscribe,
    finished_checkout,
    gateway_customer_ref,
    keep_card_for_checkout,
    pay_for_checkout,
    record_checkout,
)
from masthead.subscriptions.services.errors import (
    AddressRequired,
    AlreadySubscribed,
    BillingError,
    ChargeNotConfirmed,
    CheckoutInProgress,
    CheckoutTokenUsed,
    GuaranteeAlreadyUsed,
    GuaranteeExpired,
    NotCancellable,
)
from masthead.subscriptions.services.ledger import (
    AddressInput,
    issue_receipt,
    locked_subscription,
    record_event,
    save_address,
    store_card,
)
from masthead.subscriptions.services.refunds import do_refund_under_guarantee, do_staff_refund, refund_payment
from masthead.subscriptions.services.renewals import (
    PeriodNoLongerOwed,
    Shard,
    due_subscription_ids,
    end_subscription,
    lost_renewal_payment_ids,
    parse_shard,
    record_renewal_result,
    renew_due_subscriptions,
    renew_subscription,
    renewal_description,
    send_renewal_reminders,
    settle_lost_renewal,
    void_renewal_payment,
)
from masthead.subscriptions.services.staff import do_extend_period, do_grant_complimentary

__all__ = [
    "AddressInput",
    "AddressRequired",
    "AlreadySubscribed",
    "BillingError",
    "CANCEL_REASONS",
    "CHECKOUT_CLAIM",
    "CHECKOUT_POLL_SECONDS",
    "CHECKOUT_WAIT_SECONDS",
    "ChargeNotConfirmed",
    "CheckoutInProgress",
    "CheckoutTokenUsed",
    "GuaranteeAlreadyUsed",
    "GuaranteeExpired",
    "NotCancellable",
    "PeriodNoLongerOwed",
    "Shard",
    "claim_checkout",
    "close_checkout",
    "do_cancel",
    "do_change_address",
    "do_change_plan",
    "do_extend_period",
    "do_grant_complimentary",
    "do_refund_under_guarantee",
    "do_resume",
    "do_staff_refund",
    "do_subscribe",
    "due_subscription_ids",
    "end_subscription",
    "finished_checkout",
    "gateway_customer_ref",
    "issue_receipt",
    "keep_card_for_checkout",
    "locked_subscription",
    "lost_renewal_payment_ids",
    "parse_shard",
    "pay_for_checkout",
    "record_checkout",
    "record_event",
    "record_renewal_result",
    "refund_payment",
    "renew_due_subscriptions",
    "renew_subscription",
    "renewal_description",
    "save_address",
    "send_renewal_reminders",
    "settle_lost_renewal",
    "store_card",
    "void_renewal_payment",
]
