"""`manage.py build_editions`: the whole archive or named issues, skipping what is current, resumable after a stop."""

from __future__ import annotations

import datetime
import os
import signal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from masthead.editions import pdf
from masthead.editions.models import EditionFile
from tests.factories import ArticleFactory, IssueFactory


def build_editions(*args: str) -> str:
    out = StringIO()
    call_command("build_editions", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


@pytest.fixture
def archive(sections):
    """Two published issues, newest last, and a draft that must not be built."""
    january = IssueFactory(cover_date=datetime.date(2024, 1, 1), articles=[ArticleFactory(title="New year")])
    february = IssueFactory(cover_date=datetime.date(2024, 2, 1), articles=[ArticleFactory(title="Winter")])
    draft = IssueFactory(
        cover_date=datetime.date(2024, 3, 1),
        live=False,
        has_unpublished_changes=True,
        articles=[ArticleFactory(title="Spring")],
    )
    return january, february, draft


def ready_files(issue) -> set[str]:
    return set(
        EditionFile.objects.filter(issue=issue, status=EditionFile.READY)
        .exclude(file_name="")
        .values_list("format", flat=True)
    )


def test_all_builds_every_published_issue_and_leaves_drafts_alone(archive):
    january, february, draft = archive

    assert build_editions("--all") == "Edition files: 4 built."

    assert ready_files(january) == ready_files(february) == {"epub", "pdf"}
    assert ready_files(draft) == set()


def test_a_second_run_skips_issues_whose_files_are_up_to_date(archive):
    build_editions("--all")
    built_at = dict(EditionFile.objects.values_list("pk", "built_at"))

    assert build_editions("--all") == "Edition files: 4 unchanged."
    assert dict(EditionFile.objects.values_list("pk", "built_at")) == built_at


def test_force_builds_again_what_is_up_to_date(archive):
    build_editions("--all")

    assert build_editions("--all", "--force") == "Edition files: 4 built."


def test_named_issues_only_are_built(archive):
    january, february, _ = archive

    assert build_editions("2024/3") == "Edition files: 2 built."

    assert ready_files(february) == {"epub", "pdf"}
    assert ready_files(january) == set()


@pytest.mark.parametrize(
    "args, message",
    [
        ((), "Name issues as YEAR/NUMBER"),
        (("2024-3",), "“2024-3” is not YEAR/NUMBER"),
        (("2024/5",), "No published issue 2024/5."),  # the draft
    ],
)
def test_the_command_says_what_it_needs(archive, args, message):
    with pytest.raises(CommandError, match=message):
        build_editions(*args)


def test_a_run_stopped_midway_loses_nothing_and_the_next_run_carries_on(archive, monkeypatch):
    january, february, _ = archive
    real_build = pdf.build_issue_pdf

    def stopped_at_january(issue, articles=None):
        if issue.pk == january.pk:
            raise KeyboardInterrupt  # Ctrl-C while January's PDF is rendering
        return real_build(issue, articles)

    monkeypatch.setattr(pdf, "build_issue_pdf", stopped_at_january)

    output = build_editions("--all")

    assert "Stopped. Run the command again to carry on where it stopped." in output
    assert output.endswith("Edition files: 3 built.")
    assert ready_files(february) == {"epub", "pdf"}  # newest first: finished before the stop
    assert ready_files(january) == {"epub"}
    interrupted = EditionFile.objects.get(issue=january, format="pdf")
    assert (interrupted.status, interrupted.claim_token, interrupted.file_name) == (EditionFile.QUEUED, "", "")

    monkeypatch.undo()
    assert build_editions("--all") == "Edition files: 1 built, 3 unchanged."
    assert ready_files(january) == {"epub", "pdf"}


def test_a_run_stopped_by_sigterm_gives_its_claim_back_like_ctrl_c(archive, monkeypatch):
    january, february, _ = archive
    real_build = pdf.build_issue_pdf

    def terminated_at_january(issue, articles=None):
        if issue.pk == january.pk:
            os.kill(os.getpid(), signal.SIGTERM)  # a deploy stops the container while January's PDF renders
        return real_build(issue, articles)

    def ignored(signum, frame):
        pass

    monkeypatch.setattr(pdf, "build_issue_pdf", terminated_at_january)
    # Outside the command, the SIGTERM must not end the test run itself.
    previous = signal.signal(signal.SIGTERM, ignored)
    try:
        output = build_editions("--all")
        assert signal.getsignal(signal.SIGTERM) is ignored  # the command's handler lasts as long as its run
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert "Stopped. Run the command again to carry on where it stopped." in output
    assert output.endswith("Edition files: 3 built.")
    interrupted = EditionFile.objects.get(issue=january, format="pdf")
    assert (interrupted.status, interrupted.claim_token, interrupted.claimed_at) == (EditionFile.QUEUED, "", None)

    monkeypatch.undo()
    assert build_editions("--all") == "Edition files: 1 built, 3 unchanged."
