from django.urls import path

from masthead.institutions import views

app_name = "institutions"

urlpatterns = [
    path("invitations/<str:token>/", views.accept, name="accept"),
    path("seats/", views.seats, name="seats"),
]
