from django.db import migrations

from masthead.core.group_permissions import grant_to_groups

# Editors compose newsletters and see mailings; Moderators (who publish) also send them to readers.
COMPOSE = ("add_newsletter", "change_newsletter", "delete_newsletter", "view_newsletter", "view_send")
GRANTS = {"Editors": COMPOSE, "Moderators": (*COMPOSE, "change_send")}


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(*grant_to_groups("newsletters", GRANTS))]
