from django.urls import path

from masthead.subscriptions import card_views, checkout_views, views, webhooks

subscribe_urlpatterns = [
    path("", checkout_views.plans, name="subscribe"),
    # The sandbox's stand-in for a bank's 3-D Secure page (before <slug>/, which it is not).
    path("authenticate/<str:ref>/", checkout_views.sandbox_bank, name="sandbox_bank"),
    path("offer/", checkout_views.apply_offer, name="apply_offer"),
    path("<slug:slug>/", checkout_views.checkout, name="checkout"),
    path("<slug:slug>/card/", checkout_views.checkout_card_setup, name="checkout_card_setup"),
    path("<slug:slug>/confirm/", checkout_views.checkout_confirm, name="checkout_confirm"),
]

account_urlpatterns = [
    path("cancel/", views.cancel, name="cancel_subscription"),
    path("resume/", views.resume, name="resume_subscription"),
    path("refund/", views.refund, name="refund_subscription"),
    path("plan/", views.change_plan, name="change_plan"),
    path("address/", views.change_address, name="change_address"),
    path("card/", card_views.change_card, name="change_card"),
    path("confirm-payment/", checkout_views.confirm_renewal, name="confirm_renewal"),
    path("confirm-payment/done/", checkout_views.confirm_renewal_done, name="confirm_renewal_done"),
    path("receipts/<id:receipt_id>/", views.receipt_html, name="receipt"),
    path("receipts/<id:receipt_id>/pdf/", views.receipt_pdf, name="receipt_pdf"),
]

stripe_webhook_urlpatterns = [path("", webhooks.stripe_webhook, name="stripe_webhook")]
