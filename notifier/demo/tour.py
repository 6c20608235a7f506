"""The offline tour: sample feeds on 127.0.0.1, sample residents, real cycles on a clock.

Nothing here prints a scripted message: feeds are fetched over HTTP, articles go through the
detector and the merger, alerts are fanned out and queued in the outbox, reminders are queued by
the minute tick, and the console channel records what the dispatcher sends. The tour then reads
the record back, per resident.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from config.db_types import UK_TZ
from config.settings import Settings
from feeds.catalogue import FeedSpec, sync_catalogue
from feeds.strikes.listing import upcoming_strikes
from notifier.channels.base import Channel
from notifier.channels.console import ConsoleChannel
from notifier.cycle import CycleSummary, run_cycle
from notifier.demo.samples import SAMPLE_RESIDENTS, called_off_item, sample_feeds
from notifier.demo.server import SampleSite
from notifier.models import OutboxMessage
from subscribers import service

Echo = Callable[[str], None]


@dataclass
class Delivery:
    at: datetime
    text: str


@dataclass
class Resident:
    label: str
    postcode: str
    channel: str
    address: str
    received: list[Delivery] = field(default_factory=list)


def local(moment: datetime) -> str:
    return f"{moment.astimezone(UK_TZ):%a %d %b %H:%M}"


class Tour:
    def __init__(self, engine: Engine, settings: Settings, now: datetime, echo: Echo) -> None:
        self.engine = engine
        self.settings = settings
        self.now = now
        self.echo = echo
        self.sink = io.StringIO()
        self.channels: dict[str, ConsoleChannel] = {
            "sms": ConsoleChannel("sms", stream=self.sink),
            "telegram": ConsoleChannel("telegram", stream=self.sink),
        }
        self.residents: list[Resident] = []

    def subscribe(self) -> None:
        with Session(self.engine, expire_on_commit=False) as session:
            for i, (label, postcode, number) in enumerate(SAMPLE_RESIDENTS):
                channel, address = ("telegram", f"{900_000 + i}") if i == 3 else ("sms", number)
                service.subscribe_now(
                    session,
                    self.settings,
                    channel=channel,
                    address=address,
                    postcodes=[postcode],
                    consent_channel="operator",
                    now=self.now,
                )
                self.residents.append(Resident(label, postcode, channel, address))
            session.commit()

    async def cycle(self, when: datetime, *, poll: bool) -> CycleSummary:
        before = {name: len(ch.sent) for name, ch in self.channels.items()}
        channels: dict[str, Channel] = dict(self.channels)
        summary = await run_cycle(
            self.engine, self.settings, when, poll=poll, channels=channels, worker_id="demo"
        )
        for name, ch in self.channels.items():
            for msg in ch.sent[before[name] :]:
                for r in self.residents:
                    if r.channel == name and r.address == msg.address:
                        r.received.append(Delivery(when, msg.text))
        detect = summary.detect or {}
        poll_part = summary.poll or {}
        parts = []
        if poll:
            parts.append(
                f"polled {poll_part.get('fetched', 0)} feeds, "
                f"{poll_part.get('new_articles', 0)} new articles, "
                f"{detect.get('strike_news', 0)} strike news, "
                f"{detect.get('changes', 0)} strike changes"
            )
        parts.append(f"{summary.queued} queued, {summary.sent} sent")
        self.echo(f"[{local(when)}] " + "; ".join(parts))
        for err in summary.errors:
            self.echo(f"    error: {err}")
        return summary

    def next_due(self, after: datetime, until: datetime) -> datetime | None:
        """The next moment something would happen: a held message falls due or a reminder."""
        with Session(self.engine) as s:
            due = s.exec(
                select(func.min(OutboxMessage.not_before)).where(
                    OutboxMessage.status == "pending", col(OutboxMessage.not_before) > after
                )
            ).one()
            strikes = upcoming_strikes(s, after)
        candidates = [due] if due else []
        for st in strikes:
            if st.start is None:
                continue
            eve = (st.start.astimezone(UK_TZ) - timedelta(days=1)).replace(
                hour=18, minute=0, second=0, microsecond=0
            )
            candidates.append(eve)
        later = sorted(c for c in candidates if after < c <= until)
        return later[0] if later else None

    def show_strikes(self) -> None:
        with Session(self.engine) as s:
            strikes = upcoming_strikes(s, self.now)
        self.echo("\nStrikes on record:")
        for st in strikes:
            who = ", ".join(st.unions) or "union not named"
            where = ", ".join(a.get("name", a.get("code", "")) for a in st.areas[:3]) or "-"
            self.echo(f"  #{st.id} {st.status:<10} {who:<8} {st.when():<34} {where}")

    def show_residents(self) -> None:
        self.echo("\nWhat each resident receives:")
        for r in self.residents:
            self.echo(f"\n== {r.label} ({r.postcode}, {r.channel}) ==")
            if not r.received:
                self.echo("  nothing: no strike in their areas and topics")
            for d in r.received:
                self.echo(f"  {local(d.at)}")
                for line in d.text.splitlines():
                    self.echo(f"    | {line}")


async def run_tour(
    engine: Engine, settings: Settings, now: datetime, echo: Echo, days: int = 7
) -> list[Resident]:
    """Run the tour at ``now`` and for ``days`` after; returns the residents with what they got."""
    feeds = sample_feeds(now)
    with SampleSite(feeds) as site:
        specs = [
            FeedSpec(
                id=f.feed_id,
                name=f.name,
                kind=f.publisher_kind,
                url=site.feed_url(f.feed_id),
                areas=tuple(f.default_areas),
                interval_s=900,
            )
            for f in feeds
        ]
        with Session(engine) as session:
            sync_catalogue(session, specs, retire_missing=False)
            session.commit()
        tour = Tour(engine, settings, now, echo)
        tour.subscribe()
        echo(f"Sample feeds served from {site.base_url}; clock starts {local(now)} (UK time)")
        for r in tour.residents:
            echo(f"  subscribed: {r.label}, {r.postcode}, by {r.channel}")
        echo("")
        await tour.cycle(now, poll=True)

        later = now + timedelta(hours=2)
        feed_id, item = called_off_item(later)
        site.feeds[feed_id].items.insert(0, item)
        with Session(engine) as session:  # poll the updated feed now rather than in 15 minutes
            from feeds.models import Feed

            for f in session.exec(select(Feed)):
                f.next_poll_at = later
                session.add(f)
            session.commit()
        echo(f"\n{item.title!r} is published")
        await tour.cycle(later, poll=True)

        moment, until = later, now + timedelta(days=days)
        while (moment := tour.next_due(moment, until)) is not None:  # type: ignore[assignment]
            await tour.cycle(moment, poll=False)
        tour.show_strikes()
        tour.show_residents()
        return tour.residents


def dump_json(residents: list[Resident]) -> str:
    return json.dumps(
        [
            {
                "resident": r.label,
                "postcode": r.postcode,
                "channel": r.channel,
                "messages": [{"at": d.at.isoformat(), "text": d.text} for d in r.received],
            }
            for r in residents
        ],
        indent=2,
    )


def demo_database(path: Path) -> str:
    return f"sqlite:///{path / 'demo.db'}"


def run(engine: Engine, settings: Settings, now: datetime, echo: Echo) -> list[Resident]:
    return asyncio.run(run_tour(engine, settings, now, echo))
