"""How much a source's word counts when reports of one walkout disagree.

The union that called the strike, or the trust that is struck, knows its own dates; NHS bodies and
government are official but second-hand; national news outranks a local paper, which most often
copies an earlier release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from feeds.strikes.names import fold

OFFICIAL = 4  # the union or trust itself
PUBLIC_BODY = 3  # NHS England, government departments
NATIONAL_NEWS = 2
LOCAL_NEWS = 1
UNKNOWN = 0

RANK_LABELS: dict[int, str] = {
    OFFICIAL: "the union or trust itself",
    PUBLIC_BODY: "an NHS body or government",
    NATIONAL_NEWS: "national news",
    LOCAL_NEWS: "local news",
    UNKNOWN: "an unknown source",
}

# Outlets that report for the whole UK; anything else reached through news search is local.
_NATIONAL_OUTLETS = (
    "bbc",
    "guardian",
    "independent",
    "telegraph",
    "the times",
    "sky news",
    "itv",
    "channel 4",
    "reuters",
    "press association",
    "pa media",
    "financial times",
    "daily mail",
    "daily mirror",
    "daily express",
    "the sun",
    "evening standard",
    "metro",
    "nursing times",
    "health service journal",
    "hsj",
    "the bmj",
    "pulse",
    "i news",
    "inews",
    "lbc",
    "gb news",
    "channel 5",
    "huffpost",
    "personnel today",
)
_NATIONAL_HOSTS = (
    "bbc.co.uk",
    "bbc.com",
    "theguardian.com",
    "independent.co.uk",
    "telegraph.co.uk",
    "thetimes.co.uk",
    "news.sky.com",
    "itv.com",
    "channel4.com",
    "reuters.com",
    "ft.com",
    "dailymail.co.uk",
    "mirror.co.uk",
    "express.co.uk",
    "thesun.co.uk",
    "standard.co.uk",
    "metro.co.uk",
    "nursingtimes.net",
    "hsj.co.uk",
    "bmj.com",
    "inews.co.uk",
    "lbc.co.uk",
    "gbnews.com",
    "huffingtonpost.co.uk",
    "personneltoday.com",
)


@dataclass(frozen=True)
class Authority:
    """A source's rank and a phrase that names it in a recorded reason."""

    rank: int
    label: str

    def describe(self) -> str:
        return f"{self.label} ({RANK_LABELS.get(self.rank, 'rank ' + str(self.rank))})"


def _is_national(source_name: str, url: str) -> bool:
    name = fold(source_name)
    if any(re.search(rf"\b{re.escape(fold(o))}\b", name) for o in _NATIONAL_OUTLETS):
        return True
    host = urlsplit(url).hostname or ""
    return any(host == h or host.endswith("." + h) for h in _NATIONAL_HOSTS)


def authority_for(
    publisher_kind: str,
    *,
    source_name: str = "",
    url: str = "",
    default_areas: tuple[str, ...] = (),
) -> Authority:
    """Rank a source from its catalogue kind; news is national unless it speaks for an area."""
    label = source_name or publisher_kind or "unknown source"
    if publisher_kind in ("union", "nhs_trust"):
        return Authority(OFFICIAL, label)
    if publisher_kind in ("nhs_body", "government"):
        return Authority(PUBLIC_BODY, label)
    if publisher_kind == "news":
        if _is_national(source_name, url) or not default_areas:
            return Authority(NATIONAL_NEWS, label)
        return Authority(LOCAL_NEWS, label)
    if publisher_kind == "news_search":
        rank = NATIONAL_NEWS if _is_national(source_name, url) else LOCAL_NEWS
        return Authority(rank, label)
    return Authority(UNKNOWN, label)
