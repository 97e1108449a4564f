"""The reader's pause pages, under /account/pause/ (masthead/urls.py puts them before the account's own)."""

from django.urls import path

from masthead.circulation import pause_views

urlpatterns = [
    path("", pause_views.pause, name="pause_subscription"),
    path("resume/", pause_views.resume_from_pause, name="resume_from_pause"),
]
