"""``POST /webhooks/twilio/sms``: texts from residents, answered with TwiML.

The signature check runs first (a forged request gets 403 and changes nothing). The change and the
reply are decided in :mod:`subscribers.sms_flow` inside one transaction; the reply goes back in the
HTTP response, so Twilio sends it without another API call.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from twilio.twiml.messaging_response import MessagingResponse

from config.db_types import utcnow
from config.settings import Settings
from notifier.db import session_scope
from notifier.gsm import to_gsm
from notifier.sms_flow import handle_sms
from notifier.web.twilio_auth import verify_twilio_signature
from subscribers import service
from subscribers.service import resolver_for
from subscribers.sms_commands import STOP_WORDS

log = logging.getLogger(__name__)

router = APIRouter()


def twiml(text: str | None) -> Response:
    reply = MessagingResponse()
    if text:
        reply.message(to_gsm(text))
    return Response(content=str(reply), media_type="application/xml")


def twilio_handled_opt_out(form: dict[str, str]) -> bool:
    """Twilio answers its own opt-out keywords and blocks any reply we would send."""
    if form.get("OptOutType", "").upper() == "STOP":
        return True
    return " ".join(form.get("Body", "").split()).upper() in STOP_WORDS


def _apply(engine: Engine, settings: Settings, sender: str, body: str, opt_out: str) -> str | None:
    """One transaction; retried once if a simultaneous message for the same number collided."""
    for attempt in (1, 2):
        now = utcnow()
        try:
            with session_scope(engine) as session:
                if opt_out == "STOP":
                    service.stop(session, channel="sms", address=sender, now=now, reason="sms_stop")
                    return None
                return handle_sms(
                    session,
                    settings,
                    phone=sender,
                    body="START" if opt_out == "START" else body,
                    now=now,
                    resolver=resolver_for(settings),
                )
        except IntegrityError:
            if attempt == 2:
                raise
    return None


@router.post("/webhooks/twilio/sms")
def inbound_sms(
    request: Request, form: dict[str, str] = Depends(verify_twilio_signature)
) -> Response:
    settings: Settings = request.app.state.settings
    engine: Engine = request.app.state.engine
    sender = form.get("From", "").strip()
    body = form.get("Body", "")
    if not sender:
        return twiml(None)
    try:
        reply = _apply(engine, settings, sender, body, form.get("OptOutType", "").upper())
    except Exception:
        # Never leave a resident in silence: say so, and leave the details to the log.
        log.exception("inbound sms failed", extra={"message_sid": form.get("MessageSid")})
        reply = "Sorry, something went wrong on our side. Please try again in a few minutes."
    if twilio_handled_opt_out(form):
        reply = None
    log.info("sms answered", extra={"message_sid": form.get("MessageSid"), "replied": bool(reply)})
    return twiml(reply)
