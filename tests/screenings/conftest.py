"""Screening tests' fixtures: a real local SMTP server that keeps what it receives."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from tests.fixtures.s3 import free_port


class Collector:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A running aiosmtpd server: yields its collector and its ``smtp://`` address."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()
