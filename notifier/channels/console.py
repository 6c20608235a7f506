"""A channel that prints messages instead of sending them: demos, development, no credentials.

It keeps what it "sent" in :attr:`ConsoleChannel.sent` so a demo or test can show the messages.
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from typing import TextIO

from notifier.channels.base import DeliveryResult, Outcome
from notifier.logging_setup import mask_phone


@dataclass(frozen=True, slots=True)
class ConsoleMessage:
    address: str
    text: str
    validity_seconds: int | None


class ConsoleChannel:
    """Writes each message to a stream (stdout by default) with the address masked."""

    def __init__(self, name: str, stream: TextIO | None = None) -> None:
        self.name = name
        self._stream = stream
        self._ids = itertools.count(1)
        self.sent: list[ConsoleMessage] = []

    async def send(
        self, address: str, text: str, *, validity_seconds: int | None = None
    ) -> DeliveryResult:
        if not address:
            return DeliveryResult(Outcome.INVALID_ADDRESS, error="no address to send to")
        self.sent.append(ConsoleMessage(address, text, validity_seconds))
        stream = self._stream or sys.stdout
        stream.write(f"--- {self.name} to {mask_phone(address)} ---\n{text}\n")
        stream.flush()
        return DeliveryResult(
            Outcome.SENT,
            provider_message_id=f"console-{self.name}-{next(self._ids)}",
            provider_status="printed",
        )

    async def aclose(self) -> None:
        return None
