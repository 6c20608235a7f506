"""The pages alert links point at: ``/strikes/{id}`` and ``/strikes``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from config.db_types import utcnow
from config.settings import Settings
from feeds.models import Article, StrikeSource
from notifier.compose import Alert, Links, compose_sms, strike_facts
from notifier.web.app import create_app
from tests.dispatch_data import add_strike


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine)) as c:
        yield c


def _soon(days: int = 3) -> tuple[datetime, datetime]:
    start = (utcnow() + timedelta(days=days)).replace(hour=7, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=12)


def test_the_link_in_an_alert_opens_the_strike_page(client: TestClient, session: Session) -> None:
    start, end = _soon()
    strike = add_strike(
        session,
        unions=("RCN",),
        staff=("nurses",),
        topic="nursing",
        employers=("Leeds Teaching Hospitals <NHS> Trust",),
        areas=("Leeds",),
        start=start,
        end=end,
    )
    article = Article(
        identity="a1",
        canonical_url="https://www.rcn.org.uk/news/strike",
        title="Nurses to strike",
        source_name="RCN",
        fetched_at=utcnow(),
        content_hash="h",
    )
    session.add(article)
    session.commit()
    assert strike.id is not None and article.id is not None
    session.add(StrikeSource(strike_id=strike.id, article_id=article.id, added_at=utcnow()))
    session.commit()
    sms = compose_sms(
        [Alert("announced", strike_facts(strike))], utcnow(), Links("http://testserver")
    )
    link = next(w for w in sms.split() if w.startswith("http://testserver/strikes/"))

    page = client.get(link.removeprefix("http://testserver"))

    assert page.status_code == 200
    assert "RCN nurses strike" in page.text
    assert "Leeds Teaching Hospitals &lt;NHS&gt; Trust" in page.text  # escaped
    assert "call 999" in page.text
    assert 'href="https://www.rcn.org.uk/news/strike"' in page.text
    listing = client.get("/strikes")
    assert listing.status_code == 200 and f'href="/strikes/{strike.id}"' in listing.text


def test_called_off_strike_says_so(client: TestClient, session: Session) -> None:
    start, end = _soon()
    strike = add_strike(session, status="suspended", start=start, end=end)
    page = client.get(f"/strikes/{strike.id}")
    assert page.status_code == 200
    assert "This strike has been suspended" in page.text and "999" not in page.text


def test_held_rejected_and_unknown_strikes_are_not_found(
    client: TestClient, session: Session
) -> None:
    start, end = _soon()
    held = add_strike(session, start=start, end=end)
    held.held = True
    session.add(held)
    rejected = add_strike(session, status="rejected", start=start, end=end)
    session.commit()
    for strike_id in (held.id, rejected.id, 999_999):
        assert client.get(f"/strikes/{strike_id}").status_code == 404
    assert f"/strikes/{held.id}" not in client.get("/strikes").text
