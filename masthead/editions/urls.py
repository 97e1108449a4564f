from django.urls import path

from masthead.editions import views

urlpatterns = [
    path("", views.archive, name="issue_archive"),
    path("<id:year>/<id:number>/", views.issue_detail, name="issue"),
    path("<id:year>/<id:number>/edition.epub", views.edition_file, {"file_format": "epub"}, name="issue_epub"),
    path("<id:year>/<id:number>/edition.pdf", views.edition_file, {"file_format": "pdf"}, name="issue_pdf"),
]

# Mounted under /account/ by masthead/accounts/urls.py.
account_urlpatterns = [
    path("editions/", views.account_editions, name="account_editions"),
]
