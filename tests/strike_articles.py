"""Feeds and articles for the strike pipeline tests (written for these tests; real rows)."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import UTC, datetime

from sqlmodel import Session

from feeds.models import Article, Feed

_ids = itertools.count(1)

FEEDS: dict[str, tuple[str, str, list[str]]] = {
    # id: (name, publisher kind, default areas)
    "gmb": ("GMB", "union", []),
    "secamb": ("South East Coast Ambulance Service", "nhs_trust", ["RYD"]),
    "bbc": ("BBC News", "news", []),
    "kent-courier": ("Kent Courier", "news", ["E10000016"]),
    "rcn": ("Royal College of Nursing", "union", []),
}


def add_feeds(session: Session) -> None:
    for feed_id, (name, kind, areas) in FEEDS.items():
        session.add(
            Feed(
                id=feed_id,
                name=name,
                publisher_kind=kind,
                url=f"https://example.org/{feed_id}/feed.xml",
                default_areas=json.dumps(areas),
            )
        )
    session.commit()


def add_article(session: Session, feed_id: str, title: str, text: str, published: datetime) -> int:
    n = next(_ids)
    article = Article(
        identity=f"https://example.org/{feed_id}/news/{n}",
        feed_id=feed_id,
        canonical_url=f"https://example.org/{feed_id}/news/{n}",
        title=title,
        text=text,
        source_name=FEEDS[feed_id][0],
        published_at=published,
        fetched_at=published,
        content_hash=hashlib.sha256(f"{title}\n{text}".encode()).hexdigest(),
        is_strike_candidate=True,
    )
    session.add(article)
    session.commit()
    assert article.id is not None
    return article.id


def at(day: int, hour: int = 10, month: int = 1) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


UNION_POST = (
    "gmb",
    "GMB ambulance workers to strike on 21 January",
    "GMB members working for South East Coast Ambulance Service will walk out from 7am to 7pm "
    "on Wednesday 21 January in a dispute over pay. The union said crews would still answer "
    "life-threatening calls.",
    at(5),
)
TRUST_POST = (
    "secamb",
    "Industrial action by GMB members on 21 January",
    "We are aware that GMB members plan to take strike action on 21 January. Please only call "
    "999 in a life-threatening emergency on the day of the strike.",
    at(6, 9),
)
BBC_REPORT = (
    "bbc",
    "Ambulance staff in south-east England to strike",
    "Ambulance workers at South East Coast Ambulance Service will strike from 07:00 to 19:00 on "
    "21 January, the GMB union has announced.",
    at(6, 12),
)
LOCAL_REPORT = (
    "kent-courier",
    "Kent paramedics join ambulance walkout",
    "Paramedics across Kent will join a strike by GMB members at South East Coast Ambulance "
    "Service on Wednesday 21 January, running from 7am until 7pm.",
    at(7, 8),
)
TIMES_CHANGED = (
    "gmb",
    "SECAmb strike on 21 January extended to 24 hours",
    "GMB has extended next week's strike at South East Coast Ambulance Service. Ambulance "
    "workers will now walk out from 00:01 to 23:59 on 21 January.",
    at(14),
)
CALLED_OFF = (
    "gmb",
    "SECAmb ambulance strike called off after new pay offer",
    "GMB has called off the strike by ambulance workers at South East Coast Ambulance Service "
    "planned for 21 January after the trust made an improved offer.",
    at(19),
)
NOT_STRIKE = (
    "bbc",
    "Striker scores twice as United strike a deal",
    "The striker scored twice on Saturday. Meanwhile the club will strike a deal for a new "
    "goalkeeper before the window shuts.",
    at(8),
)
RESCHEDULED = (
    "gmb",
    "GMB moves SECAmb ambulance strike to 4 February",
    "GMB has postponed the strike by ambulance workers at South East Coast Ambulance Service "
    "planned for 21 January. Members will now walk out from 7am to 7pm on 4 February instead.",
    at(16),
)
