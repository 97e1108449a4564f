from django.urls import path

from masthead.newsletters import views

app_name = "newsletters"

urlpatterns = [
    path("", views.newsletters_page, name="index"),
    path("signup/", views.signup, name="signup"),
    path("confirm/<str:token>/", views.confirm_signup, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]

# Mounted at /account/email/ by the site's URL map, before allauth's pages.
preferences_urlpatterns = [path("", views.email_preferences, name="email_preferences")]
