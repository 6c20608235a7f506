"""Public strike pages, the "details" link in every alert: ``/strikes`` and ``/strikes/{id}``.

Only what alerts may say is shown: a strike whose first report is held for an operator, or that
an operator rejected, does not exist here (404).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from config.db_types import UK_TZ, utcnow
from config.topics import TOPICS
from feeds.detection.types import OFF_STATUSES
from feeds.models import Article, Strike, StrikeSource
from feeds.strikes.listing import upcoming_strikes
from feeds.strikes.state import REJECTED
from notifier import message_templates as T
from notifier.compose import StrikeFacts, format_when, strike_facts, where, who
from notifier.web.pages import TEMPLATES
from subscribers.postcodes import ATTRIBUTION

router = APIRouter()

CALLED_OFF_STATUSES = OFF_STATUSES


def _page(
    request: Request, template: str, title: str, status: int = 200, **context: Any
) -> Response:
    base: dict[str, Any] = {"title": title, "errors": {}, "attribution": ATTRIBUTION}
    return TEMPLATES.TemplateResponse(request, template, base | context, status_code=status)


def _public(strike: Strike | None) -> bool:
    return strike is not None and not strike.held and strike.status != REJECTED


def _details(session: Session, strike_id: int) -> dict[str, Any] | None:
    strike = session.get(Strike, strike_id)
    if strike is None or not _public(strike):
        return None
    sources = [
        {
            "name": a.source_name or a.title or "Source",
            "title": a.title,
            "url": a.canonical_url or a.identity,
        }
        for a in session.exec(
            select(Article)
            .join(StrikeSource, col(StrikeSource.article_id) == col(Article.id))
            .where(StrikeSource.strike_id == strike_id)
            .order_by(col(Article.published_at), col(Article.id))
        )
        if (a.canonical_url or a.identity or "").startswith(("http://", "https://"))
    ]
    facts: StrikeFacts = strike_facts(strike)
    now = utcnow()
    called_off = strike.status in CALLED_OFF_STATUSES
    return {
        "who": who(facts),
        "topic": TOPICS.get(facts.topic, ""),
        "employers": list(facts.employers),
        "when": format_when(
            facts.start, facts.end, facts.all_day, now, end_all_day=facts.end_all_day
        ),
        "where": where(facts),
        "called_off": T.SMS_CALLED_OFF_STATUS.get(strike.status) if called_off else None,
        "advice": T.ADVICE_CALLED_OFF if called_off else T.ADVICE_FULL.get(facts.topic, ""),
        "sources": sources,
        "updated": strike.updated_at.astimezone(UK_TZ).strftime("%a %-d %b %Y, %H:%M"),
    }


@router.get("/strikes/{strike_id}")
async def strike_page(request: Request, strike_id: int) -> Response:
    engine: Engine = request.app.state.engine

    def load() -> dict[str, Any] | None:
        with Session(engine) as session:
            return _details(session, strike_id)

    details = await run_in_threadpool(load)
    if details is None:
        return _page(request, "strike_missing.html", "Strike not found", 404)
    return _page(request, "strike.html", f"{details['who']} strike", strike=details)


@router.get("/strikes")
async def strikes_page(request: Request) -> Response:
    engine: Engine = request.app.state.engine
    now = utcnow()

    def load() -> list[dict[str, Any]]:
        with Session(engine) as session:
            views = upcoming_strikes(session, now)
            return [
                {
                    "id": v.id,
                    "who": " ".join(p for p in (" & ".join(v.unions), ", ".join(v.staff)) if p)
                    or f"{TOPICS.get(v.topic, 'Public service')} staff",
                    "when": format_when(v.start, v.end, v.all_day, now, end_all_day=v.end_all_day),
                    "where": ", ".join(v.area_names),
                    "called_off": v.status in CALLED_OFF_STATUSES,
                }
                for v in views
                if not v.held
            ]

    return _page(request, "strikes.html", "Coming strikes", strikes=await run_in_threadpool(load))
