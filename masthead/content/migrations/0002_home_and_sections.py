"""Replace Wagtail's welcome page with the magazine's home page and its six sections."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations

SECTIONS = [
    ("Politics", "politics", "Power, parties and the people who hold them to account."),
    ("Finance", "finance", "Markets, money and the economy."),
    ("Foreign Affairs", "foreign-affairs", "Diplomacy, conflict and the world beyond our borders."),
    ("Environment", "environment", "Energy, climate, land and water."),
    ("Culture", "culture", "Books, arts, ideas and the way we live."),
    ("Technology", "technology", "Science, software and the machines that shape us."),
]


def create_home_and_sections(apps, schema_editor):
    from wagtail.models import Page as LivePage

    ContentType = apps.get_model("contenttypes", "ContentType")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("content", "HomePage")
    SectionPage = apps.get_model("content", "SectionPage")

    Page = apps.get_model("wagtailcore", "Page")
    Site.objects.all().delete()
    Page.objects.filter(depth=2, slug="home").delete()
    root = Page.objects.get(depth=1)
    root.numchild = Page.objects.filter(depth=2).count()
    locale = Locale.objects.first()
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="content")
    section_type, _ = ContentType.objects.get_or_create(model="sectionpage", app_label="content")

    # Treebeard's path helpers live on the real model class; build paths with them.
    home = HomePage(
        title="Home", draft_title="Home", slug="home", content_type=home_type, live=True,
        path=LivePage._get_path(root.path, 2, root.numchild + 1), depth=2, numchild=len(SECTIONS),
        url_path="/home/", locale_id=locale.pk,
    )
    home.save()
    Page.objects.filter(pk=root.pk).update(numchild=root.numchild + 1)
    for index, (title, slug, intro) in enumerate(SECTIONS, start=1):
        SectionPage.objects.create(
            title=title, draft_title=title, slug=slug, intro=intro, content_type=section_type, live=True,
            path=LivePage._get_path(home.path, 3, index), depth=3, numchild=0,
            url_path=f"/home/{slug}/", locale_id=locale.pk,
        )
    site_url = urlsplit(settings.SITE_URL)
    Site.objects.create(
        hostname=site_url.hostname or "localhost",
        port=site_url.port or (443 if site_url.scheme == "https" else 80),
        root_page_id=home.pk,
        site_name=settings.MAGAZINE_NAME,
        is_default_site=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_home_and_sections, migrations.RunPython.noop)]
