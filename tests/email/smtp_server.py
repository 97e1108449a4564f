"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, refuses chosen recipients with 550
and turns others away for now (451, or 421 closing the connection) a chosen number of times.

Used by the tests' `smtp_server` fixture, and by bench/email_send.py, in this process or as its own:
    python -m tests.email.smtp_server PORT OUTFILE    (writes one line per message: recipient, Message-ID)
"""

from __future__ import annotations

import email
import email.policy
import socket
import sys
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


@dataclass
class Handler:
    """Keeps every accepted message; answers 550 to a recipient in `refuse` (a hard bounce), and a 4xx
    to one in `defer` (a soft bounce) while its count of such answers lasts."""

    refuse: set[str] = field(default_factory=set)
    defer: dict[str, list[str]] = field(default_factory=dict)
    refuse_sender: str = ""  # an answer to MAIL FROM, e.g. "553 5.7.1 Sender address rejected"
    received: list[Received] = field(default_factory=list)
    keep: bool = True
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_message: object = None

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user here"
        if self.defer.get(address.lower()):
            return self.defer[address.lower()].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            if self.keep:
                self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            if self.on_message:
                self.on_message(envelope)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, *, keep: bool = True):
        self.handler = Handler(keep=keep)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        return list(self.handler.received)

    def refuse(self, *addresses: str) -> None:
        self.handler.refuse.update(address.lower() for address in addresses)

    def defer(self, address: str, *answers: str) -> None:
        """Answer RCPT for `address` with each of `answers` in turn (e.g. "451 4.7.1 Greylisted"), then accept it."""
        self.handler.defer[address.lower()] = list(answers)

    def to(self, address: str) -> list[Received]:
        return [item for item in self.messages if address.lower() in (r.lower() for r in item.recipients)]


def serve_to_file(port: int, path: str) -> None:
    """Run until killed, appending "recipient Message-ID" per message to `path` (flushed at once)."""
    out = open(path, "a", buffering=1)  # noqa: SIM115 (held open for the server's life)

    def record(envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.compat32)
        for recipient in envelope.rcpt_tos:
            out.write(f"{recipient} {message['Message-ID']}\n")

    handler = Handler(keep=False, on_message=record)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    serve_to_file(int(sys.argv[1]), sys.argv[2])
