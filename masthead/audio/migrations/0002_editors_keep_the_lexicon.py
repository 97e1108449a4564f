from django.db import migrations

from masthead.core.group_permissions import grant_to_groups

# Editors and moderators keep the pronunciation lexicon.
GRANTS = {
    group: ("add_pronunciationentry", "change_pronunciationentry", "delete_pronunciationentry")
    for group in ("Editors", "Moderators")
}


class Migration(migrations.Migration):
    dependencies = [
        ("audio", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(*grant_to_groups("audio", GRANTS))]
