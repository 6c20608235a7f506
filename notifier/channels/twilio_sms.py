"""SMS through Twilio's Messages API with the official client, asynchronously.

The client's ``Api`` domain keeps its root URL in ``base_url`` and builds every request from it,
so pointing that one attribute at ``TWILIO_API_BASE_URL`` keeps the official paths
(``/2010-04-01/Accounts/{sid}/Messages.json``) while letting tests use a local server.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from config.settings import Settings
from notifier.channels.base import DeliveryResult, Outcome
from notifier.gsm import to_gsm
from notifier.logging_setup import mask_phone

log = logging.getLogger(__name__)

OPTED_OUT_CODES = frozenset({21610})  # recipient replied STOP
INVALID_ADDRESS_CODES = frozenset({21211, 21614})  # not a valid (mobile) number
MAX_VALIDITY_SECONDS = 36000  # Twilio's ceiling for ValidityPeriod

# Where the HTTP layer leaves the Retry-After of the response the current task just received.
_last_headers: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "twilio_last_headers", default=None
)


class _HeaderKeepingClient(AsyncTwilioHttpClient):
    """The stock aiohttp client, also remembering response headers for the calling task.

    ``TwilioRestException`` drops headers, but a 429's Retry-After says when to try again.
    """

    async def request(self, *args: Any, **kwargs: Any) -> Response:
        response = await super().request(*args, **kwargs)
        box = _last_headers.get()
        if box is not None:
            box.clear()
            box.update({str(k).lower(): str(v) for k, v in (response.headers or {}).items()})
        return response


def status_callback_url(settings: Settings) -> str | None:
    """Where Twilio should report delivery; only when the service is reachable from outside."""
    if not settings.public_base_url:
        return None
    return f"{settings.public_base_url}/webhooks/twilio/status"


def classify_twilio_error(
    exc: TwilioRestException, retry_after: float | None = None
) -> DeliveryResult:
    """Turn a Twilio API error into what the dispatcher should do about it."""
    text = f"twilio {exc.status} code {exc.code}: {exc.msg}"
    if exc.code in OPTED_OUT_CODES:
        return DeliveryResult(Outcome.OPTED_OUT, error=text)
    if exc.code in INVALID_ADDRESS_CODES:
        return DeliveryResult(Outcome.INVALID_ADDRESS, error=text)
    if exc.status == 429 or exc.status >= 500:
        return DeliveryResult(Outcome.RETRY, error=text, retry_after=retry_after)
    return DeliveryResult(Outcome.FAILED, error=text)


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: rare from Twilio; the dispatcher's backoff covers it
    return max(0.0, seconds)


class TwilioSmsChannel:
    """Sends one SMS per call. Never raises for delivery problems; returns a DeliveryResult."""

    name = "sms"

    def __init__(self, settings: Settings, *, timeout: float = 15.0) -> None:
        if not settings.sms_enabled:
            raise ValueError(
                "Twilio is not configured: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
            )
        self._settings = settings
        self._timeout = timeout
        self._client: Client | None = None
        self._http: _HeaderKeepingClient | None = None

    def _get_client(self) -> Client:
        # Built on first use: aiohttp wants a running event loop for its session.
        if self._client is None:
            s = self._settings
            self._http = _HeaderKeepingClient()
            client = Client(s.twilio_account_sid, s.twilio_auth_token, http_client=self._http)
            client.edge = None  # TWILIO_EDGE/TWILIO_REGION in the environment would rewrite hosts
            client.region = None
            client.api.base_url = s.twilio_api_base_url
            self._client = client
        return self._client

    def request_params(
        self, address: str, text: str, validity_seconds: int | None
    ) -> dict[str, Any]:
        """The Messages.create arguments: sender, validity period, status callback."""
        s = self._settings
        validity = s.sms_validity_seconds if validity_seconds is None else validity_seconds
        params: dict[str, Any] = {
            "to": address,
            "body": to_gsm(text),
            "validity_period": max(1, min(int(validity), MAX_VALIDITY_SECONDS)),
        }
        if s.twilio_messaging_service_sid:
            params["messaging_service_sid"] = s.twilio_messaging_service_sid
        if s.twilio_from_number:
            params["from_"] = s.twilio_from_number
        callback = status_callback_url(s)
        if callback:
            params["status_callback"] = callback
        return params

    async def send(
        self, address: str, text: str, *, validity_seconds: int | None = None
    ) -> DeliveryResult:
        if not address:
            return DeliveryResult(Outcome.INVALID_ADDRESS, error="no phone number")
        client = self._get_client()
        params = self.request_params(address, text, validity_seconds)
        headers: dict[str, str] = {}
        token = _last_headers.set(headers)
        try:
            async with asyncio.timeout(self._timeout):
                message = await client.messages.create_async(**params)
        except TwilioRestException as exc:
            result = classify_twilio_error(exc, _parse_retry_after(headers.get("retry-after")))
        except TimeoutError:
            result = DeliveryResult(Outcome.RETRY, error=f"twilio timed out after {self._timeout}s")
        except (aiohttp.ClientError, OSError) as exc:
            result = DeliveryResult(Outcome.RETRY, error=f"twilio unreachable: {exc!r}")
        except TwilioException as exc:
            result = DeliveryResult(Outcome.FAILED, error=f"twilio: {exc}")
        else:
            return DeliveryResult(
                Outcome.SENT,
                provider_message_id=message.sid,
                provider_status=str(message.status) if message.status else None,
            )
        finally:
            _last_headers.reset(token)
        log.info(
            "sms not sent",
            extra={
                "to": mask_phone(address),
                "outcome": result.outcome.value,
                "error": result.error,
            },
        )
        return result

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
            self._client = None
