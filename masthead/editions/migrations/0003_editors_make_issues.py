from django.db import migrations

from masthead.core.group_permissions import grant_to_groups

# As with pages in Wagtail: editors prepare issues, moderators also publish (and delete) them.
GRANTS = {
    "Editors": ("add_issue", "change_issue"),
    "Moderators": ("add_issue", "change_issue", "delete_issue", "publish_issue"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("editions", "0002_edition_files"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(*grant_to_groups("editions", GRANTS))]
