from django.urls import include, path

from masthead.accounts import views
from masthead.subscriptions.urls import account_urlpatterns

urlpatterns = [
    path("", views.account, name="account"),
    *account_urlpatterns,
    path("", include("allauth.urls")),
]
