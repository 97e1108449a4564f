from django.urls import include, path

from masthead.accounts import views
from masthead.editions.urls import account_urlpatterns as editions_account_urlpatterns
from masthead.subscriptions.urls import account_urlpatterns

urlpatterns = [
    path("", views.account, name="account"),
    *account_urlpatterns,
    *editions_account_urlpatterns,
    path("", include("allauth.urls")),
]
