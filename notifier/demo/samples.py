"""Sample feeds for the offline tour, written relative to the tour's clock.

Every article is the project's own text. Dates are spelt out the way real posts spell them, so
the tour exercises the same detector the worker uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from config.db_types import UK_TZ


@dataclass(frozen=True)
class SampleItem:
    guid: str
    title: str
    body: str
    published: datetime


@dataclass
class SampleFeed:
    feed_id: str
    name: str
    publisher_kind: str
    default_areas: list[str]
    items: list[SampleItem] = field(default_factory=list)

    def to_rss(self, base_url: str) -> str:
        entries = "".join(
            f"<item><title>{escape(i.title)}</title>"
            f"<link>{base_url}/articles/{i.guid}</link>"
            f'<guid isPermaLink="false">{i.guid}</guid>'
            f"<pubDate>{format_datetime(i.published)}</pubDate>"
            f"<description>{escape(i.body)}</description></item>"
            for i in self.items
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(self.name)}</title><link>{base_url}/</link>"
            f"<description>{escape(self.name)}</description>{entries}</channel></rss>"
        )


def _day(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def sample_feeds(now: datetime) -> list[SampleFeed]:
    """The first polling cycle: four announcements and two items that are not strike news."""
    local = now.astimezone(UK_TZ)
    today = local.date()
    published = now - timedelta(hours=1)
    kent_day = today + timedelta(days=3)
    ports_day = today + timedelta(days=4)
    manc_day = today + timedelta(days=2)
    wales_day = today + timedelta(days=5)

    gmb = SampleFeed("demo-gmb", "GMB union news", "union", ["K02000001"])
    gmb.items.append(
        SampleItem(
            "gmb-secamb-walkout",
            "GMB ambulance workers at South East Coast Ambulance Service announce strike",
            f"GMB members working for South East Coast Ambulance Service (SECAmb) will strike on "
            f"{_day(kent_day)}. The action will run from 00:01 until 23:59. Paramedics and "
            f"emergency care assistants across Kent, Surrey and Sussex voted for action over pay "
            f"and staffing. Patients are asked to call 999 only in a life-threatening emergency "
            f"and to use NHS 111 online for anything else.",
            published,
        )
    )
    gmb.items.append(
        SampleItem(
            "gmb-conference",
            "GMB welcomes new health and safety guidance for care homes",
            "GMB said the guidance published this week was a step forward for care workers and "
            "called on employers to put it into practice quickly. No industrial action is planned.",
            published,
        )
    )

    unison = SampleFeed("demo-unison", "UNISON health news", "union", ["K02000001"])
    unison.items.append(
        SampleItem(
            "unison-scas-strike",
            "UNISON ambulance staff at South Central Ambulance Service to walk out",
            f"Ambulance workers in UNISON employed by South Central Ambulance Service will take "
            f"strike action on {_day(ports_day)} from 7am until 7pm. The trust covers Hampshire, "
            f"Berkshire, Buckinghamshire and Oxfordshire. Life-threatening calls will still be "
            f"answered, the union said.",
            published,
        )
    )

    nwas = SampleFeed("demo-nwas", "North West Ambulance Service news", "nhs_trust", [])
    nwas.items.append(
        SampleItem(
            "nwas-unite-48h",
            "Unite ambulance strike: what it means for you",
            f"Unite members at North West Ambulance Service will take part in a 48-hour strike "
            f"from 7am on {_day(manc_day)}. Please only call 999 if it is a life-threatening "
            f"emergency; for everything else use NHS 111 online or speak to a pharmacist.",
            published,
        )
    )

    wales = SampleFeed("demo-bbc-wales", "BBC Wales (sample)", "news", ["W92000004"])
    wales.items.append(
        SampleItem(
            "bbc-wales-doctors",
            "Resident doctors in Wales to strike for three days",
            f"Resident doctors in Wales who are members of the BMA will strike from 7am on "
            f"{_day(wales_day)} until 7am on {_day(wales_day + timedelta(days=3))}, the union "
            f"said. Health boards are postponing some planned operations.",
            published,
        )
    )
    wales.items.append(
        SampleItem(
            "bbc-wales-rugby",
            "Wales striker's late goal earns a draw in Cardiff",
            "A late strike from the Wales forward earned a draw at the Cardiff City Stadium on "
            "Saturday evening in front of a crowd of 30,000.",
            published,
        )
    )
    return [gmb, unison, nwas, wales]


def called_off_item(now: datetime) -> tuple[str, SampleItem]:
    """The second cycle: the Welsh doctors' strike is called off (feed id, new item)."""
    local = now.astimezone(UK_TZ)
    wales_day = local.date() + timedelta(days=5)
    return "demo-bbc-wales", SampleItem(
        "bbc-wales-doctors-off",
        "Resident doctors' strike in Wales called off after new pay offer",
        f"The BMA has called off the resident doctors' strike in Wales that was due to start at "
        f"7am on {_day(wales_day)}, after the Welsh Government made a new pay offer. "
        f"Members will be balloted on the offer. Appointments will go ahead as planned.",
        now,
    )


SAMPLE_RESIDENTS: tuple[tuple[str, str, str], ...] = (
    # (label, postcode, number in Ofcom's drama range)
    ("Resident in Medway, Kent", "ME1 1AA", "+447700900101"),
    ("Resident in Portsmouth", "PO1 2DX", "+447700900102"),
    ("Resident in Cardiff", "CF10 1EP", "+447700900103"),
    ("Resident in Manchester", "M1 1AE", "+447700900104"),
)
