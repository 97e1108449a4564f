"""The printer's files of a stored list: rendered once (by the closing task or the first download), kept, served.

WeasyPrint takes seconds and hundreds of MiB for a full list, so it runs in the worker, not in
the web request; a download only reads the stored bytes. The files hold names and addresses:
they live outside MEDIA_ROOT under names no one can guess, and only the staff views serve them.
"""

from __future__ import annotations

import io
from pathlib import Path, PurePosixPath

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
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
def file_store() -> Storage:
    """The stored lists' storage, emptied of them before and after each test (the database rolls back, storage not).

    Only through the storage's own API: on S3 the storage has no folder, and a path made from its
    `location` ("") would be the working directory, the checkout.
    """
    storage = MailingListFile._meta.get_field("file").storage
    for name in stored_files(storage):
        storage.delete(name)
    yield storage
    for name in stored_files(storage):
        storage.delete(name)


def stored_files(storage: Storage, folder: str = "circulation/mailing-lists") -> list[str]:
    """The names of every file under `folder`, as the storage lists them (local disk or a bucket)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}/{name}" for name in files]
    for child in folders:
        names += stored_files(storage, f"{folder}/{child}")
    return sorted(names)


def stored_bytes(storage: Storage, name: str) -> bytes:
    with storage.open(name, "rb") as stored:
        return stored.read()


def modified_times(storage: Storage) -> dict[str, object]:
    return {name: storage.get_modified_time(name) for name in stored_files(storage)}


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
    assert len(stored_files(file_store)) == 3
    modified = modified_times(file_store)

    for kind, url in download_urls(issue).items():
        response = circulation_client.get(url)
        assert response.status_code == 200
        assert response.content == stored_bytes(file_store, stored[kind].file.name), kind

    assert modified_times(file_store) == modified  # nothing rendered again
    labels = circulation_client.get(download_urls(issue)["labels-letter"]).content
    assert "PROVISIONAL" not in "".join(page.extract_text() for page in PdfReader(io.BytesIO(labels)).pages)


def test_a_download_before_the_files_exist_renders_the_file_once_and_every_later_one_serves_it(
    ledger, issue, circulation_client, file_store
):
    close_issue(issue)  # stored by the closing run, whose files are not rendered yet
    url = download_urls(issue)["labels-a4"]

    first = circulation_client.get(url).content
    [stored] = stored_files(file_store)
    modified = file_store.get_modified_time(stored)

    readers_move_on(ledger)
    again = circulation_client.get(url).content

    assert again == first == stored_bytes(file_store, stored)
    assert stored_files(file_store) == [stored]
    assert file_store.get_modified_time(stored) == modified
    assert MailingListFile.objects.get(mailing_list__issue=issue).kind == "labels-a4"


def test_the_stored_csv_survives_address_changes_byte_for_byte(ledger, issue, circulation_client, file_store):
    close_due_issues.enqueue()
    url = download_urls(issue)["csv"]
    first = circulation_client.get(url).content

    readers_move_on(ledger)
    close_due_issues.enqueue()  # the next hourly run leaves a list's stored files alone

    assert circulation_client.get(url).content == first
    assert len(stored_files(file_store)) == 3
    assert "12 Court Street" in first.decode("utf-8-sig")  # where Yusuf lived at the close


def test_a_provisional_file_is_drawn_afresh_and_never_stored(ledger, next_issue, circulation_client, file_store):
    for url in download_urls(next_issue).values():
        disposition = circulation_client.get(url)["Content-Disposition"]
        assert disposition.endswith(f'-PROVISIONAL.{url_extension(url)}"')

    assert not MailingListFile.objects.exists()
    assert stored_files(file_store) == []


def test_stored_files_are_outside_media_root_under_names_no_one_can_guess(
    ledger, issue, anonymous, editor_client, file_store
):
    close_due_issues.enqueue()

    for record in MailingListFile.objects.all():
        name = record.file.name
        assert len(PurePosixPath(name).parent.name) >= 32  # a random token of 24 bytes
        assert anonymous.get(f"/media/{name}").status_code == 404
        assert not readable_by_anyone(file_store, name)
    for url in download_urls(issue).values():
        assert editor_client.get(url).status_code == 403


def readable_by_anyone(storage: Storage, name: str) -> bool:
    """On local disk: under MEDIA_ROOT, which the site serves. In a bucket: an object anyone may read."""
    if isinstance(storage, FileSystemStorage):
        return Path(settings.MEDIA_ROOT) in Path(storage.path(name)).parents
    grants = storage.bucket.Object(storage._normalize_name(name)).Acl().grants
    return any(grant["Grantee"].get("URI", "").endswith("/global/AllUsers") for grant in grants)


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
    assert stored_files(file_store) == [record.file.name]


def test_a_file_lost_from_storage_is_rendered_again_on_download(ledger, issue, circulation_client, file_store):
    close_due_issues.enqueue()
    url = download_urls(issue)["csv"]
    first = circulation_client.get(url).content
    file_store.delete(MailingListFile.objects.get(kind="csv").file.name)

    assert circulation_client.get(url).content == first  # drawn from the stored rows, so the same list
    assert len(stored_files(file_store)) == 3


def test_deleting_an_issue_deletes_its_stored_files(ledger, issue, file_store, django_capture_on_commit_callbacks):
    close_due_issues.enqueue()
    assert len(stored_files(file_store)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        issue.delete()

    assert stored_files(file_store) == []


def url_extension(url: str) -> str:
    return "csv" if url.endswith(".csv") else "pdf"
