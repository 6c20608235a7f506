"""The area model: every postcode and every strike resolve to sets of typed ONS/NHS codes.

A postcode's area set holds its district and every ancestor (county, ambulance service, ICB or
health board, NHS region, English region, nation, and the UK / Great Britain / England-and-Wales
groupings), so a strike and a subscriber meet by plain code equality: a nation-wide strike carries
the nation code, which every postcode in that nation holds.

The tables live in ``config/areas/`` (see its README for vintage and sources).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from config.topics import AREA_TYPES
from subscribers.postcode_index import PostcodeIndex
from subscribers.postcodes import (
    ATTRIBUTION,
    outward_of,
    postcode_districts,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "AREA_DATA_VINTAGE",
    "ATTRIBUTION",
    "ENGLAND_AND_WALES",
    "GREAT_BRITAIN",
    "UK",
    "AreaDataError",
    "AreaRef",
    "AreaTable",
    "PostcodeAreas",
    "all_areas",
    "area",
    "areas_meet",
    "load_area_table",
    "resolve_postcode",
    "seed_areas",
]

AREAS_DIR = Path(__file__).resolve().parent.parent / "config" / "areas"
AREA_DATA_VINTAGE = (
    "Postcodes: ONS Postcode Directory, November 2025. Districts: 2025 codes. ICBs: April 2023 "
    "boundaries (before the April 2026 mergers). Ambulance services: areas published 2021-2024."
)
"""Shown next to area results so residents can judge how current they are."""

UK = "K02000001"
GREAT_BRITAIN = "K03000001"
ENGLAND_AND_WALES = "K04000001"
ENGLAND, WALES, SCOTLAND, NORTHERN_IRELAND = "E92000001", "W92000004", "S92000003", "N92000002"
_GROUPINGS = {
    ENGLAND: (UK, GREAT_BRITAIN, ENGLAND_AND_WALES),
    WALES: (UK, GREAT_BRITAIN, ENGLAND_AND_WALES),
    SCOTLAND: (UK, GREAT_BRITAIN),
    NORTHERN_IRELAND: (UK,),
}
# Ancestor columns of districts.csv, in the order areas are listed (widest first).
_COLUMNS = ("nation", "region", "nhs_region", "icb_or_board", "ambulance", "county")
_TYPE_ORDER = {t: i for i, t in enumerate(AREA_TYPES)}


class AreaDataError(RuntimeError):
    """The area tables in ``config/areas`` are inconsistent; the message names file and row."""


@dataclass(frozen=True, slots=True)
class AreaRef:
    """One place: ``code`` (ONS GSS, NHS ODS, or a documented ``X-`` local code), official name."""

    code: str
    name: str
    type: str


@dataclass(frozen=True, slots=True)
class PostcodeAreas:
    """A normalised postcode (or outward code), its districts and all the areas it lies in."""

    postcode: str
    districts: list[str]
    areas: list[AreaRef]

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(a.code for a in self.areas)

    def as_dict(self) -> dict[str, object]:
        return {
            "postcode": self.postcode,
            "districts": list(self.districts),
            "areas": [{"code": a.code, "name": a.name, "type": a.type} for a in self.areas],
        }


@dataclass(frozen=True, slots=True)
class _Split:
    lad: str
    outward: frozenset[str]
    column: str
    code: str


@dataclass
class AreaTable:
    """Areas by code, each district's ancestors, and the postcode-level split rules."""

    areas: dict[str, AreaRef]
    parents: dict[str, dict[str, str]]  # district -> column -> code
    splits: list[_Split] = field(default_factory=list)

    def get(self, code: str) -> AreaRef:
        try:
            return self.areas[code]
        except KeyError:
            raise KeyError(f"unknown area code {code!r}") from None

    def ancestors(self, district: str, outward: str | None = None) -> dict[str, str]:
        """Column -> code for one district, after the split rules for ``outward``."""
        try:
            row = dict(self.parents[district])
        except KeyError:
            raise AreaDataError(
                f"district {district} is in the postcode data but not in config/areas/"
                "districts.csv: the area table is older than the postcode data"
            ) from None
        if outward is not None:
            for split in self.splits:
                if split.lad == district and outward in split.outward:
                    row[split.column] = split.code
        return row

    def areas_for(self, districts: Iterable[str], outward: str | None = None) -> list[AreaRef]:
        """All areas of the districts (a union for an outward code), ordered widest first."""
        codes: set[str] = set()
        for district in districts:
            codes.add(district)
            row = self.ancestors(district, outward)
            codes.update(c for c in row.values() if c)
            codes.update(_GROUPINGS.get(row["nation"], ()))
        refs = [self.get(c) for c in codes]
        refs.sort(
            key=lambda a: (_TYPE_ORDER.get(a.type, 99), _GROUPING_ORDER.get(a.code, 9), a.code)
        )
        return refs

    def districts_in(self, code: str) -> list[str]:
        """Districts wholly or partly inside area ``code`` (a split district counts for both)."""
        if code in self.parents:
            return [code]
        out = []
        for district, row in self.parents.items():
            nation = row["nation"]
            hit = code in row.values() or code in _GROUPINGS.get(nation, ())
            hit = hit or any(s.lad == district and s.code == code for s in self.splits)
            if hit:
                out.append(district)
        return sorted(out)


_GROUPING_ORDER = {UK: 0, GREAT_BRITAIN: 1, ENGLAND_AND_WALES: 2}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_area_table(directory: Path | None = None) -> AreaTable:
    """Read and cross-check ``areas.csv``, ``districts.csv`` and ``splits.csv``."""
    base = directory or AREAS_DIR
    areas: dict[str, AreaRef] = {}
    for n, row in enumerate(_read_csv(base / "areas.csv"), start=2):
        if row["type"] not in AREA_TYPES:
            raise AreaDataError(f"areas.csv line {n}: type {row['type']!r} not in {AREA_TYPES}")
        if row["code"] in areas:
            raise AreaDataError(f"areas.csv line {n}: code {row['code']} listed twice")
        areas[row["code"]] = AreaRef(row["code"], row["name"], row["type"])
    parents: dict[str, dict[str, str]] = {}
    for n, row in enumerate(_read_csv(base / "districts.csv"), start=2):
        lad = row["lad_code"]
        if areas.get(lad, AreaRef("", "", "")).type != "district":
            raise AreaDataError(f"districts.csv line {n}: {lad} is not a district in areas.csv")
        cols = {c: row[c] for c in _COLUMNS}
        for col, code in cols.items():
            if code and code not in areas:
                raise AreaDataError(f"districts.csv line {n}: {col} {code} not in areas.csv")
        if not cols["nation"] or not cols["ambulance"] or not cols["icb_or_board"]:
            raise AreaDataError(f"districts.csv line {n}: {lad} lacks nation, board or ambulance")
        parents[lad] = cols
    splits = []
    for n, row in enumerate(_read_csv(base / "splits.csv"), start=2):
        column = "ambulance" if row["field"] == "ambulance" else row["field"]
        if column not in _COLUMNS or row["lad_code"] not in parents or row["code"] not in areas:
            raise AreaDataError(f"splits.csv line {n}: unknown field, district or code")
        splits.append(
            _Split(row["lad_code"], frozenset(row["outward_codes"].split()), column, row["code"])
        )
    return AreaTable(areas=areas, parents=parents, splits=splits)


@lru_cache(maxsize=1)
def _table() -> AreaTable:
    return load_area_table()


def area(code: str) -> AreaRef:
    """The area with this code; ``KeyError`` naming it if unknown."""
    return _table().get(code)


def all_areas() -> list[AreaRef]:
    """Every area the service knows, widest first."""
    refs = list(_table().areas.values())
    refs.sort(key=lambda a: (_TYPE_ORDER.get(a.type, 99), _GROUPING_ORDER.get(a.code, 9), a.code))
    return refs


def resolve_postcode(
    raw: str, *, index: PostcodeIndex | None = None, index_path: Path | None = None
) -> PostcodeAreas:
    """Areas of a postcode or outward code. Raises a :class:`PostcodeError` subclass if it can't.

    ``index_path`` is ``Settings.postcode_index_path`` (None: the default cache location).
    """
    postcode, districts = postcode_districts(raw, index=index, index_path=index_path)
    districts = sorted(set(districts))
    refs = _table().areas_for(districts, outward_of(postcode))
    return PostcodeAreas(postcode=postcode, districts=districts, areas=refs)


def areas_meet(subscriber_codes: Iterable[str], strike_codes: Iterable[str]) -> bool:
    """True when a strike reaches a subscriber: their ancestor-complete code sets intersect."""
    return not set(subscriber_codes).isdisjoint(strike_codes)


def seed_areas(session: Session) -> int:
    """Insert or update every area row (names change, codes stay); returns rows written."""
    from sqlalchemy import select

    from subscribers.models import Area

    count = 0
    existing = {a.code: a for a in session.execute(select(Area)).scalars()}
    for ref in all_areas():
        row = existing.get(ref.code)
        if row is None:
            session.add(Area(code=ref.code, name=ref.name, type=ref.type))
            count += 1
        elif row.name != ref.name or row.type != ref.type:
            row.name, row.type = ref.name, ref.type
            count += 1
    session.flush()
    return count
