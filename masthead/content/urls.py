from django.urls import path

from masthead.content import views

urlpatterns = [
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("search/", views.search, name="search"),
]
