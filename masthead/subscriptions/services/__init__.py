"""Every write to the ledger, one module per workflow; import from here or from the module itself.

Each function is atomic where it writes, logs a SubscriptionEvent in the same transaction, and
sends its emails on commit. Gateway calls happen outside transactions (no slow I/O while rows are
locked) and carry idempotency keys, so a retry after a crash reuses the first attempt's result.
Subscription rows are always locked through `ledger.locked_subscription`, one at a time.

- `errors`: the refusals (BillingError and its kinds), in one place
- `ledger`: the event log, row locks, addresses, stored cards, receipts
- `checkout`: buying (`do_subscribe`; with Stripe.js, `begin_card_setup` first and `settle_checkout` after 3-D Secure)
- `payment_attempts`: paying once for what a form token opened, the one charge path checkouts and gifts share
- `doors`: the door a reader came to checkout through (`door_from` a subscribe link's `?from=`)
- `authentication`: charges the reader's bank wants confirmed: a renewal's, from the emailed link; the gateway's news
- `renewals`: charging due subscriptions, retries, crashed runs, reminders
- `changes`: cancel, resume, change plan, address or card
- `dunning`: retrying a past-due renewal now, and the past-due list staff see
- `offers`: which offer code a reader may redeem, and its terms in words
- `refunds`: the money-back guarantee and staff refunds
- `staff`: complimentary subscriptions, extended periods
"""

from masthead.subscriptions.services.authentication import (
    begin_renewal_authentication,
    complete_renewal_authentication,
    payment_awaiting_authentication,
    settle_authenticated_charge,
)
from masthead.subscriptions.services.changes import (
    CANCEL_REASONS,
    CardChange,
    card_subscription,
    do_cancel,
    do_change_address,
    do_change_card,
    do_change_plan,
    do_resume,
    finish_card_change,
    keep_new_card,
    start_card_change,
)
from masthead.subscriptions.services.checkout import (
    CHECKOUT_POLL_SECONDS,
    CHECKOUT_WAIT_SECONDS,
    begin_card_setup,
    checkout_key,
    claim_checkout,
    close_checkout,
    do_subscribe,
    finished_checkout,
    pay_for_checkout,
    record_checkout,
    settle_checkout,
    settle_waiting_checkouts,
    started_by,
)
from masthead.subscriptions.services.doors import Door, door_from
from masthead.subscriptions.services.dunning import past_due_subscriptions, retry_now
from masthead.subscriptions.services.errors import (
    AddressRequired,
    AlreadySubscribed,
    AuthenticationRequired,
    BillingError,
    ChargeNotConfirmed,
    CheckoutInProgress,
    CheckoutTokenUsed,
    GuaranteeAlreadyUsed,
    GuaranteeExpired,
    NoCardToChange,
    NotCancellable,
    NothingPaidYet,
    OfferUnavailable,
)
from masthead.subscriptions.services.ledger import (
    AddressInput,
    issue_receipt,
    locked_subscription,
    record_event,
    save_address,
    store_card,
)
from masthead.subscriptions.services.offers import check_offer, check_offer_open, find_offer, offer_terms
from masthead.subscriptions.services.payment_attempts import PaymentAttempt, gateway_customer_ref
from masthead.subscriptions.services.refunds import (
    do_refund_under_guarantee,
    do_staff_refund,
    record_gateway_refund,
    refund_payment,
)
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
    retry_at,
    send_renewal_reminders,
    settle_lost_renewal,
    void_renewal_payment,
)
from masthead.subscriptions.services.staff import do_extend_period, do_grant_complimentary

__all__ = [
    "AddressInput",
    "AddressRequired",
    "AlreadySubscribed",
    "AuthenticationRequired",
    "BillingError",
    "CANCEL_REASONS",
    "CardChange",
    "PaymentAttempt",
    "Door",
    "CHECKOUT_POLL_SECONDS",
    "CHECKOUT_WAIT_SECONDS",
    "ChargeNotConfirmed",
    "CheckoutInProgress",
    "CheckoutTokenUsed",
    "GuaranteeAlreadyUsed",
    "GuaranteeExpired",
    "NoCardToChange",
    "NotCancellable",
    "NothingPaidYet",
    "OfferUnavailable",
    "PeriodNoLongerOwed",
    "Shard",
    "begin_card_setup",
    "begin_renewal_authentication",
    "card_subscription",
    "check_offer",
    "check_offer_open",
    "checkout_key",
    "claim_checkout",
    "complete_renewal_authentication",
    "close_checkout",
    "do_cancel",
    "do_change_address",
    "do_change_card",
    "do_change_plan",
    "do_extend_period",
    "do_grant_complimentary",
    "do_refund_under_guarantee",
    "do_resume",
    "do_staff_refund",
    "do_subscribe",
    "door_from",
    "due_subscription_ids",
    "end_subscription",
    "finish_card_change",
    "finished_checkout",
    "find_offer",
    "gateway_customer_ref",
    "issue_receipt",
    "keep_new_card",
    "locked_subscription",
    "lost_renewal_payment_ids",
    "offer_terms",
    "parse_shard",
    "past_due_subscriptions",
    "pay_for_checkout",
    "payment_awaiting_authentication",
    "record_checkout",
    "record_event",
    "record_gateway_refund",
    "record_renewal_result",
    "refund_payment",
    "renew_due_subscriptions",
    "renew_subscription",
    "renewal_description",
    "retry_at",
    "retry_now",
    "save_address",
    "send_renewal_reminders",
    "settle_authenticated_charge",
    "settle_checkout",
    "settle_waiting_checkouts",
    "settle_lost_renewal",
    "start_card_change",
    "started_by",
    "store_card",
    "void_renewal_payment",
]
