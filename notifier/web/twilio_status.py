"""``POST /webhooks/twilio/status``: Twilio's delivery reports for the SMS we sent.

Signature-checked first. The report updates ``provider_status`` of every outbox row sent as that
message (a grouped alert covers several rows). Reports can arrive out of order, so a status never
moves back (``delivered`` is not overwritten by a late ``sent``). An opt-out reported here (error
21610) stops the subscriber like a failed send would. Unknown message ids get 200 all the same:
Twilio retries anything else, and an id we no longer hold is not an error on its side.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from config.db_types import utcnow
from notifier.channels.twilio_sms import INVALID_ADDRESS_CODES, OPTED_OUT_CODES
from notifier.db import session_scope
from notifier.dispatch import OUTBOX
from notifier.web.twilio_auth import verify_twilio_signature

log = logging.getLogger(__name__)

router = APIRouter()

# Twilio message statuses in the order they happen; the final ones share the top rank.
_RANK: dict[str, int] = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "read": 5,
    "canceled": 4,
}


def _rank(status: str | None) -> int:
    return _RANK.get((status or "").lower(), -1)


@router.post("/webhooks/twilio/status")
def twilio_status(
    request: Request, form: dict[str, str] = Depends(verify_twilio_signature)
) -> Response:
    engine: Engine = request.app.state.engine
    sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    code_text = (form.get("ErrorCode") or "").strip()
    code = int(code_text) if code_text.isdigit() else None
    if not sid or not status:
        return Response(status_code=200)
    now = utcnow()
    with session_scope(engine) as session:
        found = session.execute(
            select(OUTBOX.c.id, OUTBOX.c.provider_status, OUTBOX.c.subscriber_id).where(
                OUTBOX.c.provider_message_id == sid
            )
        ).all()
        if not found:
            log.info("status for an unknown message", extra={"sid": sid, "status": status})
            return Response(status_code=200)
        ids = [r.id for r in found if _rank(status) >= _rank(r.provider_status)]
        if ids:
            values: dict[str, object] = {"provider_status": status[:20]}
            if code is not None:
                values["error"] = f"twilio delivery error {code} ({status})"
            session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(**values))
        if code in OPTED_OUT_CODES or code in INVALID_ADDRESS_CODES:
            from subscribers.service import stop_by_id

            reason = "opted_out" if code in OPTED_OUT_CODES else "invalid_address"
            for subscriber_id in {r.subscriber_id for r in found}:
                stop_by_id(session, subscriber_id, now=now, reason=reason)
    log.info("twilio status", extra={"sid": sid, "status": status, "error_code": code})
    return Response(status_code=200)
