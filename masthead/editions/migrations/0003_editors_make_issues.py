from django.db import migrations

# As with pages in Wagtail: editors prepare issues, moderators also publish (and delete) them.
GRANTS = {
    "Editors": ("add_issue", "change_issue"),
    "Moderators": ("add_issue", "change_issue", "delete_issue", "publish_issue"),
}


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("editions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Wagtail makes the snippet's "publish" permission after all migrations (post_migrate); make it now.
    Permission.objects.get_or_create(
        content_type=ContentType.objects.get_for_model(apps.get_model("editions", "Issue")),
        codename="publish_issue",
        defaults={"name": "Can publish issue"},
    )
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="editions", codename__in=GRANTS[group.name])
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="editions", codename__in=GRANTS[group.name])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("editions", "0002_edition_files"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
