import signal

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from masthead.core import jobs
from masthead.newsletters.models import Send
from masthead.newsletters.sending import run_send


class Command(BaseCommand):
    help = (
        "Send a mailing that was asked for (or carry on with one a dead worker left): every recipient still pending "
        "gets their copy; a second run sends nothing twice. Ctrl-C or SIGTERM stops after the copy at hand."
    )

    def add_arguments(self, parser):
        parser.add_argument("send", help="The mailing's id or key (e.g. issue:12)")

    def handle(self, send: str, verbosity: int = 1, **options):
        mailing = Send.objects.filter(**({"pk": int(send)} if send.isdigit() else {"key": send})).first()
        if mailing is None:
            raise CommandError(f"No mailing {send!r}.")
        jobs.requeue(Send.objects.filter(pk=mailing.pk, status=Send.FAILED))  # asked for now: no back-off
        pending = mailing.deliveries.filter(status="pending").count() if mailing.recipients_written_at else None
        progress = tqdm(total=pending, unit="email", disable=verbosity == 0, file=self.stderr._out)
        stopping = []

        def stop_requested(signum, frame):
            stopping.append(signum)

        # Stop between two copies, never in the middle of handing one over.
        previous = {number: signal.signal(number, stop_requested) for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            outcome = run_send(mailing.pk, stop=lambda: bool(stopping), progress=lambda result: progress.update())
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            progress.close()
        summary = ", ".join(f"{count} {result}" for result, count in sorted(outcome.counts.items())) or "nothing to do"
        self.stdout.write(f"Mailing {mailing.key}: {outcome.result}; {summary}.")
        if outcome.result == "waiting":
            self.stdout.write(
                f"Copies a mail server turned away for now go again from {outcome.next_try_at:%Y-%m-%d %H:%M %Z} "
                "(retry_due_sends takes them up, or run this command again then)."
            )
        elif outcome.result == "stopped":
            self.stdout.write(self.style.WARNING("Stopped. Run the command again to carry on where it stopped."))
        elif outcome.result == "failed":
            mailing.refresh_from_db()
            raise CommandError(mailing.error)
