"""Server-rendered pages: subscribe by postcode and mobile, enter the texted code, unsubscribe,
delete my data, and a hand-off to Telegram. Plain HTML forms: no JavaScript needed.

Each form re-renders with the person's values and errors tied to the fields (``aria-describedby``)
plus an error summary linking to them, the pattern screen-reader users know from GOV.UK.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import phonenumbers
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from config.db_types import utcnow
from config.settings import Settings
from notifier.channels.base import Outcome
from notifier.channels.registry import get_channel
from notifier.db import session_scope
from subscribers import service, verification
from subscribers.phones import InvalidPhoneNumber, normalise_phone
from subscribers.postcodes import ATTRIBUTION, PostcodeError
from subscribers.service import SubscriptionError, resolver_for

log = logging.getLogger(__name__)

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
router = APIRouter()
T = TypeVar("T")

_PURPOSE_PAGES: dict[str, dict[str, str]] = {
    "subscribe": {"button": "Confirm and subscribe", "restart": "/"},
    "stop": {"button": "Stop my alerts", "restart": "/unsubscribe"},
    "forget": {"button": "Delete my data", "restart": "/forget"},
}


def code_message(code: str) -> str:
    """The text carrying a code: code first so phones can offer to fill it in."""
    return (
        f"{code} is your Strike alerts code. It expires in 10 minutes. If you didn't ask for it, "
        "ignore this text."
    )


def display_number(e164: str | None) -> str | None:
    """``+447700900001`` -> ``07700 900001``: how people in the UK write a number."""
    if not e164:
        return None
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    fmt = phonenumbers.PhoneNumberFormat
    return phonenumbers.format_number(
        number, fmt.NATIONAL if number.country_code == 44 else fmt.INTERNATIONAL
    )


def _render(
    request: Request, template: str, title: str, status_code: int = 200, **context: Any
) -> Response:
    settings: Settings = request.app.state.settings
    base: dict[str, Any] = {
        "title": title,
        "errors": {},
        "values": {},
        "attribution": ATTRIBUTION,
        "sms_number": display_number(settings.twilio_from_number),
        "telegram_username": settings.telegram_bot_username,
    }
    base.update(context)
    return TEMPLATES.TemplateResponse(request, template, base, status_code=status_code)


async def _in_transaction(request: Request, work: Callable[[Session], T]) -> T:
    engine: Engine = request.app.state.engine

    def run() -> T:
        with session_scope(engine) as session:
            return work(session)

    return await run_in_threadpool(run)


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/")
async def subscribe_page(request: Request) -> Response:
    return _render(request, "subscribe.html", "Get strike alerts")


async def _send_code(request: Request, issued: verification.IssuedCode) -> str | None:
    """Text the code; return an error for the phone field if it could not go."""
    settings: Settings = request.app.state.settings
    channel = get_channel(settings, "sms")
    try:
        result = await channel.send(issued.phone, code_message(issued.code), validity_seconds=600)
    finally:
        await channel.aclose()
    if result.outcome is Outcome.SENT:
        return None
    log.warning(
        "verification code not sent",
        extra={"subscriber_id": issued.subscriber_id, "outcome": result.outcome.value},
    )
    if result.outcome is Outcome.OPTED_OUT:
        now = utcnow()
        await _in_transaction(
            request,
            lambda s: service.stop(
                s, channel="sms", address=issued.phone, now=now, reason="twilio_21610"
            ),
        )
        return "This number has opted out of our texts. Text START to our number to opt back in."
    if result.outcome is Outcome.INVALID_ADDRESS:
        return "We couldn't text this number. Check it's a mobile that can receive texts."
    return "We couldn't send a text just now. Please try again in a few minutes."


async def _issue(
    request: Request,
    *,
    purpose: str,
    phone: str,
    postcode: str | None,
    form_template: str,
    title: str,
    extra: dict[str, Any],
) -> Response:
    settings: Settings = request.app.state.settings
    resolver = resolver_for(settings)
    values = {"phone": phone, "postcode": postcode or ""}
    errors: dict[str, str] = {}
    if purpose == "subscribe":
        try:
            resolver(postcode or "")
        except PostcodeError as exc:
            errors["postcode"] = str(exc)
    try:
        normalise_phone(phone, settings)
    except InvalidPhoneNumber as exc:
        errors["phone"] = str(exc)
    if not errors:
        now = utcnow()
        ip = _client_ip(request)

        def work(session: Session) -> verification.IssuedCode:
            return verification.request_code(
                session,
                settings,
                phone=phone,
                purpose=purpose,
                postcode=postcode,
                ip=ip,
                now=now,
                resolver=resolver,
            )

        try:
            issued = await _in_transaction(request, work)
        except PostcodeError as exc:
            errors["postcode"] = str(exc)
        except (SubscriptionError, InvalidPhoneNumber) as exc:
            errors["phone"] = str(exc)
        else:
            problem = await _send_code(request, issued)
            if problem is None:
                page = _PURPOSE_PAGES[purpose]
                return _render(
                    request,
                    "code.html",
                    "Enter your code",
                    phone=issued.phone,
                    phone_tail=issued.phone[-3:],
                    action_label=page["button"],
                    restart_url=page["restart"],
                    purpose=purpose,
                )
            errors["phone"] = problem
    return _render(
        request, form_template, title, status_code=400, errors=errors, values=values, **extra
    )


@router.post("/subscribe")
async def subscribe(request: Request, postcode: str = Form(""), phone: str = Form("")) -> Response:
    return await _issue(
        request,
        purpose="subscribe",
        phone=phone,
        postcode=postcode,
        form_template="subscribe.html",
        title="Get strike alerts",
        extra={},
    )


def _phone_page(purpose: str) -> dict[str, Any]:
    if purpose == "stop":
        return {
            "heading": "Stop strike alerts",
            "action": "/unsubscribe",
            "intro": [
                "The quickest way: text STOP to the number our alerts come from. It works at once.",
                "Or enter your number and we'll text you a code to confirm.",
            ],
        }
    return {
        "heading": "Delete your data",
        "action": "/forget",
        "intro": [
            "This deletes your number, postcodes and settings, and ends your alerts. We keep only "
            "anonymous totals, such as how many people have signed up.",
            "You can also text FORGET to the number our alerts come from.",
        ],
    }


@router.get("/unsubscribe")
async def unsubscribe_page(request: Request) -> Response:
    return _render(request, "phone_only.html", "Stop strike alerts", **_phone_page("stop"))


@router.post("/unsubscribe")
async def unsubscribe(request: Request, phone: str = Form("")) -> Response:
    return await _issue(
        request,
        purpose="stop",
        phone=phone,
        postcode=None,
        form_template="phone_only.html",
        title="Stop strike alerts",
        extra=_phone_page("stop"),
    )


@router.get("/forget")
async def forget_page(request: Request) -> Response:
    return _render(request, "phone_only.html", "Delete your data", **_phone_page("forget"))


@router.post("/forget")
async def forget(request: Request, phone: str = Form("")) -> Response:
    return await _issue(
        request,
        purpose="forget",
        phone=phone,
        postcode=None,
        form_template="phone_only.html",
        title="Delete your data",
        extra=_phone_page("forget"),
    )


@router.post("/verify")
async def verify(
    request: Request, phone: str = Form(""), code: str = Form(""), purpose: str = Form("")
) -> Response:
    settings: Settings = request.app.state.settings
    now = utcnow()
    resolver = resolver_for(settings)

    def work(session: Session) -> verification.VerifyResult:
        return verification.verify_code(
            session, settings, phone=phone, code=code, now=now, resolver=resolver
        )

    try:
        result = await _in_transaction(request, work)
    except (SubscriptionError, InvalidPhoneNumber, PostcodeError) as exc:
        return _code_again(request, phone, str(exc), purpose=purpose)
    if not result.ok:
        return _code_again(request, phone, result.message, purpose=result.purpose)
    if result.purpose == "subscribe":
        lines = [
            f"You'll get strike alerts by text for {', '.join(result.postcodes)}.",
            "Text NEXT to see coming strikes, HELP for options, or STOP at any time to end them.",
        ]
        return _render(
            request, "done.html", "You're signed up", heading=result.message, lines=lines
        )
    if result.purpose == "stop":
        lines = ["To start again, text START to the number our alerts came from."]
        return _render(request, "done.html", "Alerts stopped", heading=result.message, lines=lines)
    return _render(
        request,
        "done.html",
        "Data deleted",
        heading=result.message,
        lines=["You won't hear from us again unless you sign up afresh."],
    )


def _code_again(request: Request, phone: str, message: str, purpose: str = "subscribe") -> Response:
    page = _PURPOSE_PAGES.get(purpose, _PURPOSE_PAGES["subscribe"])
    shown = phone if phone.startswith("+") else ""
    return _render(
        request,
        "code.html",
        "Enter your code",
        status_code=400,
        errors={"code": message},
        phone=shown or phone,
        phone_tail=phone[-3:],
        action_label=page["button"],
        restart_url=page["restart"],
    )


@router.post("/telegram")
async def telegram_handoff(request: Request, tg_postcode: str = Form("")) -> Response:
    """Check the postcode here, then open the bot with it in the /start payload."""
    settings: Settings = request.app.state.settings
    if not settings.telegram_bot_username:
        return _render(
            request,
            "subscribe.html",
            "Get strike alerts",
            status_code=404,
            errors={"postcode": "Telegram alerts are not available here yet."},
        )
    try:
        postcode = resolver_for(settings)(tg_postcode).postcode
    except PostcodeError as exc:
        return _render(
            request,
            "subscribe.html",
            "Get strike alerts",
            status_code=400,
            errors={"tg_postcode": str(exc)},
            values={"tg_postcode": tg_postcode},
        )
    payload = postcode.replace(" ", "")
    return RedirectResponse(
        f"https://t.me/{settings.telegram_bot_username}?start={payload}", status_code=303
    )
