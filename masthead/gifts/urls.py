from django.urls import path

from masthead.gifts import claim_views, views

app_name = "gifts"

urlpatterns = [
    path("", views.give, name="give"),
    path("card/", views.card_setup, name="card_setup"),
    path("confirm/", views.confirm, name="confirm"),
    path("thanks/", views.thanks, name="thanks"),
    path("<id:gift_id>/resend/", views.resend, name="resend"),
    path("<id:gift_id>/refund/", views.refund, name="refund"),
    path("claim/<str:token>/", claim_views.claim, name="claim"),
]
