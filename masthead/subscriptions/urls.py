from django.urls import path

from masthead.subscriptions import card_views, views, webhooks

subscribe_urlpatterns = [
    path("", views.plans, name="subscribe"),
    path("<slug:slug>/", views.checkout, name="checkout"),
]

account_urlpatterns = [
    path("cancel/", views.cancel, name="cancel_subscription"),
    path("resume/", views.resume, name="resume_subscription"),
    path("refund/", views.refund, name="refund_subscription"),
    path("plan/", views.change_plan, name="change_plan"),
    path("address/", views.change_address, name="change_address"),
    path("card/", card_views.change_card, name="change_card"),
    path("receipts/<id:receipt_id>/", views.receipt_html, name="receipt"),
    path("receipts/<id:receipt_id>/pdf/", views.receipt_pdf, name="receipt_pdf"),
]

stripe_webhook_urlpatterns = [path("", webhooks.stripe_webhook, name="stripe_webhook")]
