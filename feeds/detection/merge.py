"""Many mentions of one walkout in one article become one event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from feeds.detection.types import OFF_STATUSES, DetectedEvent


@dataclass
class Candidate:
    """A walkout as one sentence gives it, with what the merge needs to choose between copies."""

    event: DetectedEvent
    explicit_status: bool
    sentence_index: int
    revised: bool = False  # "will now walk out from...": newer times than elsewhere in the piece
    explicit_date: bool = False  # written with a day number, not "Monday" or "today"
    # The sentence names no union ("Pickets are out from early this morning"): its union is
    # borrowed from context, so on a day another union's walkout already holds it joins that.
    borrowed_union: bool = False
    joins: bool = False  # "joined on 5 February by the NASUWT": its union joins that day's walkout
    end_from_duration: bool = False  # the end is reckoned from "a 72-hour strike", not stated


def side(status: str) -> str:
    """ "on" (announced, going ahead, rescheduled) or "off" (suspended, postponed, cancelled)."""
    return "off" if status in OFF_STATUSES else "on"


def _splits_off(ev: DetectedEvent, te: DetectedEvent) -> bool:
    """``ev`` names some of ``te``'s unions (not all) with hours ``te`` does not have."""
    if not ev.unions or not te.unions or not set(ev.unions) < set(te.unions):
        return False
    if not ev.start_has_time:
        return False
    return not te.start_has_time or (ev.start, ev.end) != (te.start, te.end)


def merge_candidates(candidates: list[Candidate]) -> list[DetectedEvent]:
    """One event per union (or unions together), start day and side; the best-timed copy wins."""
    merged: list[Candidate] = []
    for cand in candidates:
        ev = cand.event
        assert ev.start is not None
        target: Candidate | None = None
        for other in merged:
            oe = other.event
            assert oe.start is not None
            if oe.start.date() != ev.start.date():
                continue
            overlap = not ev.unions or not oe.unions or bool(set(ev.unions) & set(oe.unions))
            adds_on = cand.borrowed_union or cand.joins
            if not overlap and not (adds_on and side(oe.status) == side(ev.status)):
                continue
            if side(oe.status) != side(ev.status):
                if cand.explicit_status and other.explicit_status:
                    continue  # e.g. called off in Wales, going ahead in England
                if cand.explicit_status:
                    oe.status = ev.status
                    other.explicit_status = True
            target = other
            break
        if target is None:
            merged.append(cand)
            continue
        te = target.event
        if _splits_off(ev, te):
            # "GMB, Unison and Unite will strike on 21 December ... Unison crews will strike from
            # midday": a union with its own hours is its own stoppage.
            te.unions = [u for u in te.unions if u not in ev.unions]
            merged.append(cand)
            continue
        if _splits_off(te, ev):
            ev.unions = [u for u in ev.unions if u not in te.unions]
            merged.append(cand)
            continue
        for name in [] if cand.borrowed_union else ev.unions:
            if name not in te.unions:
                te.unions.append(name)
        for attr in ("staff", "employers", "areas", "area_codes", "evidence"):
            values: list[str] = getattr(te, attr)
            for v in getattr(ev, attr):
                if v not in values:
                    values.append(v)
        if cand.revised and not target.revised and ev.start_has_time:
            te.start, te.start_has_time = ev.start, ev.start_has_time
            te.end, te.end_has_time = ev.end, ev.end_has_time
            target.revised = True
            continue
        better_time = ev.start_has_time and not te.start_has_time
        better_end = ev.end is not None and te.end is None
        if better_time or (better_end and ev.start_has_time == te.start_has_time):
            te.start, te.start_has_time = ev.start, ev.start_has_time
            te.end, te.end_has_time = ev.end, ev.end_has_time
        elif te.end is not None and ev.end is not None and ev.end_has_time and not te.end_has_time:
            te.end, te.end_has_time = ev.end, ev.end_has_time
        if te.status == "announced" and ev.status != "announced" and side(ev.status) == "on":
            te.status = ev.status
        te.confidence = max(te.confidence, ev.confidence)
    # A day inside (or ending) a continuous walkout of the same union is that walkout (the
    # "fourth day of a five-day strike", "trains on 17 May may be affected"), not a new one;
    # an explicitly dated day with its own hours stays.
    out: list[DetectedEvent] = []
    for cand in merged:
        ev = cand.event
        assert ev.start is not None
        inside = False
        for other in merged:
            wider = other.event
            if wider is ev or wider.end is None or wider.start is None:
                continue
            shares = not ev.unions or bool(set(ev.unions) & set(wider.unions))
            if (
                shares
                and (not cand.explicit_date or not ev.start_has_time)
                and side(ev.status) == side(wider.status)
                and wider.start.date() < ev.start.date() <= wider.end.date()
                and (ev.end is None or ev.end <= wider.end + timedelta(days=1))
                and not (ev.end is not None and ev.start_has_time)
            ):
                inside = True
                break
        if not inside:
            out.append(ev)
    return out
