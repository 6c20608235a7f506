"""Twilio webhook authentication: only requests Twilio signed get past this dependency.

Twilio signs the full public URL it called plus the sorted form fields with the account auth
token. Behind a proxy the URL the app sees differs from the one Twilio called, so the signature is
checked against ``PUBLIC_BASE_URL`` + path (+ query) when that is set. A forged, unsigned or
unverifiable request gets 403 before any handler runs, so nothing is changed.
"""

from __future__ import annotations

import logging

from fastapi import HTTPException, Request
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from config.settings import Settings

log = logging.getLogger(__name__)


def public_url(request: Request, settings: Settings) -> str:
    """The URL Twilio was told to call for this request."""
    if settings.public_base_url:
        url = settings.public_base_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        return url
    return str(request.url)


async def verify_twilio_signature(request: Request) -> dict[str, str]:
    """FastAPI dependency: check ``X-Twilio-Signature`` and return the form fields.

    Use as ``form: dict[str, str] = Depends(verify_twilio_signature)``. Raises 403 when the
    signature is missing or wrong, or when no auth token is configured (nothing can be verified).
    """
    settings: Settings = request.app.state.settings
    signature = request.headers.get(SIGNATURE_HEADER)
    token = settings.twilio_auth_token
    if not token:
        log.warning(
            "twilio webhook refused: no TWILIO_AUTH_TOKEN to verify it",
            extra={"path": request.url.path},
        )
        raise HTTPException(status_code=403, detail="Twilio webhooks are not configured")
    if not signature:
        log.warning("twilio webhook refused: unsigned", extra={"path": request.url.path})
        raise HTTPException(status_code=403, detail="Missing Twilio signature")
    form = await request.form()
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER))
    validator = RequestValidator(token)
    if not validator.validate(public_url(request, settings), form, signature, algorithm):
        log.warning("twilio webhook refused: bad signature", extra={"path": request.url.path})
        raise HTTPException(status_code=403, detail="Invalid Twilio signature")
    return {key: value for key, value in form.items() if isinstance(value, str)}
