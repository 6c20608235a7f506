"""The web app: health check, subscribe pages, provider webhooks.

Routers live in their own modules; :func:`create_app` is the one place that mounts them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from config.settings import Settings
from notifier.db import make_engine
from notifier.models import WorkerState


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    app = FastAPI(title="Strike alerts", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)

    @app.get("/healthz")
    def healthz(request: Request) -> JSONResponse:
        """Up when the database answers; reports when the worker last polled."""
        eng: Engine = request.app.state.engine
        body: dict[str, Any] = {"status": "ok", "database": "ok", "last_poll": None,
                                "time": datetime.now(UTC).isoformat(timespec="seconds")}
        try:
            with Session(eng) as s:
                s.exec(text("SELECT 1"))  # type: ignore[call-overload]
                row = s.exec(select(WorkerState).where(WorkerState.key == "last_poll")).first()
                body["last_poll"] = row.value if row else None
        except SQLAlchemyError as exc:
            body.update(status="error", database=f"unreachable: {type(exc).__name__}")
            return JSONResponse(body, status_code=503)
        return JSONResponse(body)

    _mount_routers(app)
    return app


def _mount_routers(app: FastAPI) -> None:
    """Each feature adds its router here (one line each)."""
    from notifier.web import pages, sms_webhook, strike_pages, telegram_webhook, twilio_status

    app.include_router(sms_webhook.router)
    app.include_router(telegram_webhook.router)
    app.include_router(pages.router)
    app.include_router(twilio_status.router)
    app.include_router(strike_pages.router)
