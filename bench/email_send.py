"""Email benchmark: an issue's email sent to 100,000 subscribers through a local SMTP server.

    .venv/bin/python bench/email_send.py [--count 100000]

Builds a fresh SQLite database in a temporary DATA_DIR (never ./data), migrates it, bulk-creates
`count` subscribers (tests/ledger/due_subscriptions.py) and a published issue whose email is asked
for, starts an aiosmtpd server in a process of its own on 127.0.0.1 (tests/email/smtp_server.py,
writing one line per message received), then, in a process of its own with the production
settings and Django's SMTP backend, times the two phases of `sending.run_send`: writing the
recipients (each reader's entitlement asked of access.entitlements_for) and handing the copies to
the server. Checks the server received exactly one copy per subscriber, prints a markdown table
(messages per second, peak memory of the sending process) with the load average, and saves it to
bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchlib import ROOT, isolated_env, last_json, peak_rss_mib, run_child, save_report


def child(send_id: int) -> None:
    """In the sending process: write the recipients, then send; report times, outcomes and memory."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import timezone

    from masthead.newsletters.models import Send
    from masthead.newsletters.sending import run_send, write_deliveries

    started = time.perf_counter()
    written = write_deliveries(Send.objects.get(pk=send_id), timezone.now())
    recipients_seconds = time.perf_counter() - started
    rss_after_recipients = peak_rss_mib()
    started = time.perf_counter()
    outcome = run_send(send_id)
    send_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "recipients": written,
                "recipients_seconds": recipients_seconds,
                "send_seconds": send_seconds,
                "result": outcome.result,
                "counts": dict(outcome.counts),
                "peak_rss_mib": peak_rss_mib(),
                "rss_after_recipients_mib": rss_after_recipients,
            }
        )
    )


def free_port() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.email.smtp_server import free_port as port

    return port()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="masthead-bench-email-") as data_dir:
        port = free_port()
        received = Path(data_dir) / "received.txt"
        env = isolated_env(data_dir)
        env.update(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(port),
            SITE_URL="http://127.0.0.1:8000",
            SECRET_KEY="bench-not-secret",  # noqa: S106 (a throwaway database)
        )
        t0 = time.perf_counter()
        run_child(env, "manage.py", "migrate", "--noinput", "-v", "0")
        send_id = int(run_child(env, "-m", "tests.email.mailing_setup", str(args.count)).split()[-1])
        print(f"set up {args.count} subscribers in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-m", "tests.email.smtp_server", str(port), str(received)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout.readline().strip() == "ready"
            load_start = os.getloadavg()
            result = last_json(run_child(env, __file__, "--child", str(send_id)))
            load_end = os.getloadavg()
            time.sleep(1)
        finally:
            server.terminate()
            server.wait()
        lines = received.read_text().splitlines()
    copies = Counter(line.split()[0] for line in lines)
    once = len(copies) == args.count and set(copies.values()) == {1}
    per_second = args.count / result["send_seconds"]
    when = time.strftime("%Y-%m-%d %H:%M")
    loads = f"load average before {load_before[0]:.2f}; at start {load_start[0]:.2f}, at end {load_end[0]:.2f}"
    readers_per_second = args.count / result["recipients_seconds"]
    rss = f"{result['peak_rss_mib']:.0f} MiB ({result['rss_after_recipients_mib']:.0f} MiB after writing recipients)"
    verdict = "each exactly once" if once else "NOT exactly once"
    rows = [
        "| phase | seconds | per second |",
        "| --- | ---: | ---: |",
        f"| writing recipients (each reader's entitlement, one Delivery row each) | "
        f"{result['recipients_seconds']:.1f} | {readers_per_second:,.0f} readers |",
        f"| sending (one SMTP connection; `sending`, then `sent`, committed per copy) | "
        f"{result['send_seconds']:.1f} | {per_second:,.0f} messages |",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| outcome | {result['result']}: {result['counts']} |",
        f"| peak RSS of the sending process | {rss} |",
        f"| copies received by the server | {len(lines):,} for {len(copies):,} addresses: {verdict} |",
    ]
    report = (
        f"# Email send benchmark ({args.count:,} subscribers, SQLite, Django's SMTP backend into aiosmtpd)\n\n"
        f"{when}, {loads} (2 cores, shared with other work).\n\n" + "\n".join(rows) + "\n"
    )
    print(report)
    save_report("email-send", report, label=args.label)
    if not once or result["result"] != "finished":
        sys.exit(1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]))
    else:
        main()
