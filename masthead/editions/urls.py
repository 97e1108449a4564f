from django.urls import path

from masthead.editions import views

urlpatterns = [
    path("", views.archive, name="issue_archive"),
    path("<int:year>/<int:number>/", views.issue_detail, name="issue"),
]
