"""The one interface every delivery channel implements.

Adding a channel means one module in this package and one line in :mod:`notifier.channels.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # transient: timeout, 5xx, 429
    OPTED_OUT = "opted_out"  # Twilio 21610, Telegram "blocked by the user"
    INVALID_ADDRESS = "invalid_address"  # Twilio 21211/21614, Telegram "chat not found"
    FAILED = "failed"  # permanent, anything else: dead letter


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    outcome: Outcome
    provider_message_id: str | None = None
    provider_status: str | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds, when the provider said so


class Channel(Protocol):
    """Sends one message to one address and reports what happened; never raises for delivery."""

    name: str

    async def send(self, address: str, text: str, *, validity_seconds: int | None = None
                   ) -> DeliveryResult: ...

    async def aclose(self) -> None: ...
