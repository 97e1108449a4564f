"""Every write of the gifts app, one module per workflow.

- `purchase`: paying for a gift once (`buy_gift`; with Stripe.js `begin_gift_card_setup` first and
  `settle_gift_payment` after 3-D Secure), the giver's account when they are not signed in
- `delivery`: the recipient's email on the delivery day, exactly once (`deliver_gift`), and the giver's resend
- `claims`: the recipient claims it into the ledger (`claim_gift`)
- `refunds`: an unclaimed gift's money back to the giver within the 60-day guarantee (`refund_gift`)
"""
