"""Reports → Imports in the admin, for administrators."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from masthead.moving import admin_views


class ImportsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_see_imports(request.user)


@hooks.register("register_admin_urls")
def register_import_urls():
    urlpatterns = [
        path("", admin_views.ImportRunsView.as_view(), name="index"),
        path("<id:run_id>/", admin_views.ImportRunView.as_view(), name="run"),
    ]
    return [path("imports/", include((urlpatterns, "imports"), namespace="imports"))]


@hooks.register("register_reports_menu_item")
def register_imports_menu_item():
    return ImportsMenuItem("Imports", reverse("imports:index"), name="imports", icon_name="download", order=1400)
