from django.db import migrations

from masthead.core.group_permissions import grant_to_groups

# Editors and moderators keep the authors' pages (name, bio, photo) they byline articles with.
GRANTS = {group: ("add_author", "change_author", "delete_author") for group in ("Editors", "Moderators")}


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0003_article_paywall"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(*grant_to_groups("content", GRANTS))]
