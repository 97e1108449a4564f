"""Data migrations that give Wagtail's editor groups permissions on our models, and take them back."""

from __future__ import annotations

from collections.abc import Callable


def grant_to_groups(app_label: str, grants: dict[str, tuple[str, ...]]) -> tuple[Callable, Callable]:
    """RunPython (forward, backward) giving each named group these permission codenames of `app_label`.

    Django and Wagtail create permissions after all migrations (post_migrate); on a fresh database
    they do not exist yet when this runs, so the forward step makes them first: the model ones from
    Meta, and a snippet's Wagtail "publish_<model>" by name.
    """

    def permissions(apps, group_name: str):
        Permission = apps.get_model("auth", "Permission")
        return Permission.objects.filter(content_type__app_label=app_label, codename__in=grants[group_name])

    def forward(apps, schema_editor):
        from django.contrib.auth.management import create_permissions

        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
        ContentType = apps.get_model("contenttypes", "ContentType")
        Permission = apps.get_model("auth", "Permission")
        for codename in {codename for codenames in grants.values() for codename in codenames}:
            if codename.startswith("publish_"):
                model = apps.get_model(app_label, codename.removeprefix("publish_"))
                Permission.objects.get_or_create(
                    content_type=ContentType.objects.get_for_model(model),
                    codename=codename,
                    defaults={"name": f"Can publish {model._meta.verbose_name_raw}"},
                )
        for group in apps.get_model("auth", "Group").objects.filter(name__in=grants):
            group.permissions.add(*permissions(apps, group.name))

    def backward(apps, schema_editor):
        for group in apps.get_model("auth", "Group").objects.filter(name__in=grants):
            group.permissions.remove(*permissions(apps, group.name))

    return forward, backward
