"""The printer's files of a stored list: rendered once (by the closing task or the first download), kept, served.

WeasyPrint takes seconds and hundreds of MiB for a full list, so it runs in the worker, not in
the web request; a download only reads the stored bytes. The files hold names and addresses:
they live outside MEDIA_ROOT under names no one can guess, and only the staff views serve them.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from masthead.circulation import printer_files, services
from masthead.circulation.models import MailingListFile
from masthead.circulation.services import close_issue, store_printer_file
from masthead.circulation.tasks import close_due_issues
from tests.circulation.conftest import at

pytestmark = pytest.mark.django_db

KINDS = ["csv", "labels-a4", "labels-letter"]


@pytest.fixture(autouse=True)
def file_store() -> Path:
    """The folder stored files go to, empty at the start of each test (the database is rolled back; disks are not)."""
    location = Path(MailingListFile._meta.get_field("file").storage.location)
    shutil.rmtree(location, ignore_errors=True)
    yield location
    shutil.rmtree(location, ignore_errors=True)


def files_on_disk(location: Path) -> list[Path]:
    return sorted(path for path in location.rglob("*") if path.is_file())


def download_urls(issue) -> dict[str, str]:
    labels = reverse("print_runs:labels", args=[issue.pk])
    return {
        "csv": reverse("print_runs:csv", args=[issue.pk]),
        "labels-a4": f"{labels}?sheet=a4",
        "labels-letter": f"{labels}?sheet=letter",
    }


def readers_move_on(ledger) -> None:
    """After the close: two readers move house, one cancels, one subscribes."""
    ledger.advance_to(at(6, 10, 15))
    ledger.move("yusuf", "yusuf_moved")
    ledger.move("carla", "xena")
    ledger.cancel("alice")
    ledger.subscribe("nina", "digital-print-yearly")
    ledger.advance_to(at(6, 20, 9))


def test_the_closing_task_stores_the_csv_and_both_label_sheets_and_downloads_serve_those_bytes(
    ledger, issue, circulation_client, file_store
):
    close_due_issues.enqueue()

    stored = {record.kind: record for record in MailingListFile.objects.filter(mailing_list__issue=issue)}
    assert sorted(stored) == sorted(KINDS)
    on_disk = files_on_disk(file_store)
    assert len(on_disk) == 3
    modified = {path: path.stat().st_mtime_ns for path in on_disk}

    for kind, url in download_urls(issue).items():
        response = circulation_client.get(url)
        assert response.status_code == 200
        assert response.content == Path(stored[kind].file.path).read_bytes(), kind

    assert {path: path.stat().st_mtime_ns for path in files_on_disk(file_store)} == modified  # nothing rendered again
    labels = circulation_client.get(download_urls(issue)["labels-letter"]).content
    assert "PROVISIONAL" not in "".join(page.extract_text() for page in PdfReader(io.BytesIO(labels)).pages)


def test_a_download_before_the_files_exist_renders_the_file_once_and_every_later_one_serves_it(
    ledger, issue, circulation_client, file_store
):
    close_issue(issue)  # stored by the closing run, whose files are not rendered yet
    url = download_urls(issue)["labels-a4"]

    first = circulation_client.get(url).content
    [stored] = files_on_disk(file_store)
    modified = stored.stat().st_mtime_ns

    readers_move_on(ledger)
    again = circulation_client.get(url).content

    assert again == first == stored.read_bytes()
    assert files_on_disk(file_store) == [stored]
    assert stored.stat().st_mtime_ns == modified
    assert MailingListFile.objects.get(mailing_list__issue=issue).kind == "labels-a4"


def test_the_stored_csv_survives_address_changes_byte_for_byte(ledger, issue, circulation_client, file_store):
    close_due_issues.enqueue()
    url = download_urls(issue)["csv"]
    first = circulation_client.get(url).content

    readers_move_on(ledger)
    close_due_issues.enqueue()  # the next hourly run leaves a list's stored files alone

    assert circulation_client.get(url).content == first
    assert len(files_on_disk(file_store)) == 3
    assert "12 Court Street" in first.decode("utf-8-sig")  # where Yusuf lived at the close


def test_a_provisional_file_is_drawn_afresh_and_never_stored(ledger, next_issue, circulation_client, file_store):
    for url in download_urls(next_issue).values():
        disposition = circulation_client.get(url)["Content-Disposition"]
        assert disposition.endswith(f'-PROVISIONAL.{url_extension(url)}"')

    assert not MailingListFile.objects.exists()
    assert files_on_disk(file_store) == []


def test_stored_files_are_outside_media_root_under_names_no_one_can_guess(
    ledger, issue, anonymous, editor_client, file_store
):
    close_due_issues.enqueue()

    for record in MailingListFile.objects.all():
        path = Path(record.file.path)
        assert Path(settings.MEDIA_ROOT) not in path.parents
        assert len(path.parent.name) >= 32  # a random token of 24 bytes
        assert anonymous.get(f"/media/{record.file.name}").status_code == 404
    for url in download_urls(issue).values():
        assert editor_client.get(url).status_code == 403


def test_two_renderers_at_once_keep_one_file_and_both_serve_it(ledger, issue, monkeypatch, file_store):
    """A download racing the closing task: the second to store drops its copy and returns the first's."""
    mailing_list = close_issue(issue)
    render = printer_files.render
    winner = []

    def render_while_the_other_stores(kind, rows, issue, **kwargs):
        body = render(kind, rows, issue, **kwargs)
        monkeypatch.setattr(printer_files, "render", render)
        winner.append(store_printer_file(mailing_list, kind))  # the other one stores first meanwhile
        return body

    monkeypatch.setattr(printer_files, "render", render_while_the_other_stores)
    record = services.store_printer_file(mailing_list, "csv")

    assert record == winner[0]
    assert MailingListFile.objects.count() == 1
    assert files_on_disk(file_store) == [Path(record.file.path)]


def test_a_file_lost_from_storage_is_rendered_again_on_download(ledger, issue, circulation_client, file_store):
    close_due_issues.enqueue()
    url = download_urls(issue)["csv"]
    first = circulation_client.get(url).content
    Path(MailingListFile.objects.get(kind="csv").file.path).unlink()

    assert circulation_client.get(url).content == first  # drawn from the stored rows, so the same list
    assert len(files_on_disk(file_store)) == 3


def test_deleting_an_issue_deletes_its_stored_files(ledger, issue, file_store, django_capture_on_commit_callbacks):
    close_due_issues.enqueue()
    assert len(files_on_disk(file_store)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        issue.delete()

    assert files_on_disk(file_store) == []


def url_extension(url: str) -> str:
    return "csv" if url.endswith(".csv") else "pdf"
