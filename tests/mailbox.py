"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, parsed: the `smtp` fixture of every test."""

from __future__ import annotations

import socket
from email import message_from_bytes, policy

import pytest


class Mailbox:
    def __init__(self) -> None:
        self.messages = []
        #: address → the reply refusing it ("550 5.1.1 …" for good, "451 …" for now)
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str):
        return [m for rcpts, m in self.messages if address in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", MAIL_FROM="tracker@example.org")
    mailbox.port = port
    mailbox.controller = controller
    yield mailbox
    controller.stop()
    app.config.update(SMTP_HOST=None, SMTP_PORT=25)
