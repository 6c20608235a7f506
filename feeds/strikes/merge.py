"""Merge decisions: is a report a new strike, the same strike again, or a change to it?

Pure: given the strikes that could match, one report (who said it, when, how sure) and ``now``,
return what to record and why. The database side (``feeds.pipeline``) only stores the answer.

Rules, in the order they apply:
- Identity: the same UK start day, a union in common (or, when a report names no union, a shared
  employer or place), and places that overlap (or compatible topics when one names none). Two
  reports naming different places for the same union and day are one walkout only when their
  hours agree; otherwise they stay apart, because merging them would move one strike's hours on
  the word of the other's report.
- Areas only widen: a report that names fewer places says nothing about the others.
- Hours: a report with hours refines a date-only record. When two reports give different hours the
  higher-ranked source wins (the union or trust itself, then NHS bodies, national news, local news);
  between equals the newer report wins; a newer but lower-ranked report is held for an operator.
- On/off: an older report never flips a strike on or off (it is old news); a newer one does, held
  for an operator when it comes from a lower-ranked source than the one that set the status.
- Every change below the approval threshold is held (``pending``) and not applied until approved.
- A walkout already over at ``now`` is recorded but alerts nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from config.topics import HEALTH_TOPICS
from feeds.strikes.authority import RANK_LABELS
from feeds.strikes.names import employer_key, place_key, slug
from feeds.strikes.state import Report, StrikeState, side, uk_date

AUTO = "auto"
PENDING = "pending"

# Alert kinds a change can carry (what fan-out tells subscribers).
ANNOUNCED = "announced"
CHANGED = "changed"
CALLED_OFF = "called_off"
NO_ALERT = "none"

# Most important first: a change that does several things is named after the first.
KIND_ORDER: tuple[str, ...] = (
    "new",
    "called_off",
    "suspended",
    "postponed",
    "reinstated",
    "rescheduled",
    "times_changed",
    "areas_widened",
    "areas_narrowed",
    "topic_changed",
    "confirmed",
    "ballot",
    "deal_accepted",
    "details_added",
)
_KIND_ALERT: dict[str, str] = {
    "called_off": CALLED_OFF,
    "suspended": CALLED_OFF,
    "postponed": CALLED_OFF,
    "reinstated": CHANGED,
    "rescheduled": CHANGED,
    "times_changed": CHANGED,
    "areas_widened": CHANGED,
    "areas_narrowed": CHANGED,
    "topic_changed": CHANGED,
}
_OFF_KIND: dict[str, str] = {
    "cancelled": "called_off",
    "suspended": "suspended",
    "postponed": "postponed",
}

DISPUTE_WINDOW = timedelta(days=180)  # reports of one ballot or deal within this are one record


class AreaCover(Protocol):
    """Knows which areas lie inside others (the area table implements it for the pipeline)."""

    def covers(self, existing: frozenset[str], new: frozenset[str]) -> bool:
        """True when every place in ``new`` already lies inside ``existing``."""
        ...  # pragma: no cover

    def overlaps(self, a: frozenset[str], b: frozenset[str]) -> bool:
        """True when some place in ``a`` shares ground with some place in ``b``."""
        ...  # pragma: no cover


@dataclass(frozen=True)
class ChangePlan:
    """One change to record: what happened, what to tell people, and why."""

    kind: str
    alert_kind: str
    before: StrikeState | None  # None for a new strike
    after: StrikeState
    reason: str
    confidence: float
    approval: str  # auto | pending


@dataclass(frozen=True)
class Decision:
    """The merge's answer for one report.

    ``strike`` is the state to store now (pending changes are not in it); ``matched_key`` names the
    existing record it updates, or is None when ``strike`` is new.
    """

    outcome: str  # new | merged | ignored
    strike: StrikeState | None
    matched_key: str | None
    changes: tuple[ChangePlan, ...]
    reason: str

    @property
    def adds_source(self) -> bool:
        return self.strike is not None


@dataclass(frozen=True)
class _Fact:
    kind: str
    fields: dict[str, object]
    reason: str
    held: str | None = None  # why an operator must decide, even when the report is confident
    decides: bool = False  # sets the record's authority and decision time


# --- identity -------------------------------------------------------------------------------


def _topics_compatible(a: str, b: str) -> bool:
    """Equal, or one is the generic NHS topic and the other a health one."""
    if not a or not b or a == b:
        return True
    generic = "other_nhs"
    return (a == generic and b in HEALTH_TOPICS) or (b == generic and a in HEALTH_TOPICS)


def _places(unit: StrikeState | Report) -> tuple[set[str], set[str], set[str]]:
    codes = set(unit.area_codes)
    employers = {employer_key(e) for e in unit.employers}
    names = {place_key(n) for n in unit.area_names} | employers
    return codes, employers, names


def places_overlap(
    a: StrikeState | Report, b: StrikeState | Report, cover: AreaCover | None = None
) -> bool | None:
    """True when the two share a place; None when either names no place at all.

    With ``cover``, areas that share ground count ("South East" and its ambulance trust).
    """
    a_codes, a_emp, a_names = _places(a)
    b_codes, b_emp, b_names = _places(b)
    if a_codes & b_codes or a_emp & b_emp or a_names & b_names:
        return True
    meet = cover.overlaps if cover is not None else None
    if meet is not None and a_codes and b_codes and meet(frozenset(a_codes), frozenset(b_codes)):
        return True
    if not (a_codes or a_names) or not (b_codes or b_names):
        return None
    return False


def _same_hours(state: StrikeState, report: Report) -> bool:
    """Whether nothing in the two disagrees about hours (missing hours agree with anything)."""
    if not state.all_day and not report.all_day and state.start != report.start:
        return False
    if state.end is None or report.end is None:
        return True
    if state.end_all_day or report.end_all_day:
        return uk_date(state.end) == uk_date(report.end)
    return state.end == report.end


def match_score(state: StrikeState, report: Report, cover: AreaCover | None = None) -> int | None:
    """How well ``report`` fits ``state`` (higher is better), or None when it is another strike."""
    if state.status == "rejected":
        return None
    shared_union = bool(set(state.unions) & set(report.unions))
    if state.unions and report.unions and not shared_union:
        return None
    overlap = places_overlap(state, report, cover)
    # A topic label is a guess; shared places outweigh it, but it keeps a union's bus strike
    # and its hospital strike on one day apart.
    if overlap is not True and not _topics_compatible(state.topic, report.topic):
        return None
    if report.is_dispute_only or not state.is_walkout:
        if report.is_dispute_only != (not state.is_walkout):
            return None
        if not shared_union or overlap is False:
            return None
        if state.decided_at and abs(report.published - state.decided_at) > DISPUTE_WINDOW:
            return None
        return 4 + (2 if overlap else 0)
    assert state.start is not None and report.start is not None
    if uk_date(state.start) != uk_date(report.start):
        return None
    # Without a union in common only a shared place and a compatible topic tie two reports.
    if not shared_union and (
        overlap is not True or not _topics_compatible(state.topic, report.topic)
    ):
        return None
    if overlap is False and not _same_hours(state, report):
        return None
    score = (4 if shared_union else 0) + (2 if overlap else 0)
    score += 1 if side(state.status) == side(report.status) else 0
    score += 1 if _same_hours(state, report) else 0
    return score


def best_match(
    strikes: Sequence[StrikeState], report: Report, cover: AreaCover | None = None
) -> StrikeState | None:
    scored = [(s, match_score(s, report, cover)) for s in strikes]
    fits = [(score, s) for s, score in scored if score is not None]
    if not fits:
        return None
    fits.sort(key=lambda pair: (-pair[0], pair[1].id or 0, pair[1].key))
    return fits[0][1]


def canonical_key(report: Report, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """``union|employer-or-area|start date`` (ballots and deals: the date first reported)."""
    who = "+".join(slug(u) for u in report.unions) or (
        slug(report.staff[0]) if report.staff else "unknown"
    )
    if report.employers:
        where = slug(sorted(employer_key(e) for e in report.employers)[0])
    elif report.area_codes:
        where = slug(sorted(report.area_codes)[0])
    elif report.area_names:
        where = slug(report.area_names[0])
    else:
        where = "uk"
    if report.start is not None and not report.is_dispute_only:
        when = uk_date(report.start).isoformat()
    else:
        when = f"{report.status}-{uk_date(report.published).isoformat()}"
    base = f"{who}|{where}|{when}"[:290]
    key, n = base, 2
    while key in taken:
        key, n = f"{base}#{n}", n + 1
    return key


# --- facts a report brings ------------------------------------------------------------------


def _rank(rank: int) -> str:
    return RANK_LABELS.get(rank, f"rank {rank}")


def _conflict(state: StrikeState, report: Report, what: str) -> tuple[bool, str, str | None]:
    """Whether a report that contradicts ``state`` about ``what`` wins, why, and whether it is held.

    Returns (applies, reason, held-reason).
    """
    mine, theirs = report.authority.rank, state.authority
    newer = state.decided_at is None or report.published >= state.decided_at
    who = report.authority.describe()
    if mine > theirs:
        return True, f"{who} outranks {_rank(theirs)} on {what}", None
    if mine == theirs and newer:
        return True, f"{who} is the newer report of equal rank on {what}", None
    if mine == theirs:
        return False, f"kept {what}: {who} is older than the report that set it", None
    if not newer:
        return False, f"kept {what}: {who} is older and ranks below {_rank(theirs)}", None
    held = (
        f"{who} is newer but ranks below {_rank(theirs)}, which set the {what}; "
        "an operator should confirm"
    )
    return True, f"{who} reports different {what}", held


def _time_facts(state: StrikeState, report: Report) -> list[_Fact]:
    if not (state.is_walkout and report.is_walkout):
        return []
    fields: dict[str, object] = {}
    refine: list[str] = []
    conflict: list[str] = []
    if not report.all_day and report.start != state.start:
        fields.update(start=report.start, all_day=False)
        (refine if state.all_day else conflict).append("start")
    if report.end is not None and report.end != state.end:
        if state.end is None:
            refine.append("end")
            fields.update(end=report.end, end_all_day=report.end_all_day)
        elif report.end_all_day and not state.end_all_day:
            if uk_date(report.end) != uk_date(state.end):
                conflict.append("end")
                fields.update(end=report.end, end_all_day=True)
        elif (
            state.end_all_day
            and not report.end_all_day
            and uk_date(report.end) == uk_date(state.end)
        ):
            refine.append("end")
            fields.update(end=report.end, end_all_day=False)
        else:
            conflict.append("end")
            fields.update(end=report.end, end_all_day=report.end_all_day)
    if not fields:
        return []
    if not conflict:
        return [_Fact("times_changed", fields, f"{report.authority.describe()} gives the hours")]
    applies, reason, held = _conflict(state, report, "hours")
    if not applies:
        return [_Fact("ignored", {}, reason)]
    partial = _names_part_only(state, report)
    if held is None and partial:
        held = (
            f"the report names only {partial} of the strike's employers; the others may keep "
            "their hours"
        )
    return [_Fact("times_changed", fields, reason, held=held, decides=True)]


def _names_part_only(state: StrikeState, report: Report) -> str:
    """The employers a report names when they are only some of a strike's (else "")."""
    mine = {employer_key(e) for e in report.employers}
    theirs = {employer_key(e) for e in state.employers}
    if not mine or len(theirs) < 2 or not mine < theirs:
        return ""
    return ", ".join(e for e in report.employers)


def _status_facts(state: StrikeState, report: Report) -> list[_Fact]:
    old, new = side(state.status), side(report.status)
    if report.status == state.status:
        return []
    if old is None or new is None:  # ballot -> deal and back
        if report.is_dispute_only and not state.is_walkout:
            newer = state.decided_at is None or report.published >= state.decided_at
            if not newer:
                return [_Fact("ignored", {}, f"kept {state.status}: older report")]
            return [
                _Fact(
                    report.status,
                    {"status": report.status},
                    f"{report.authority.describe()} reports {report.status.replace('_', ' ')}",
                    decides=True,
                )
            ]
        return []
    newer = state.decided_at is None or report.published >= state.decided_at
    who = report.authority.describe()
    if old == new:
        if not newer:
            return []
        if new == "on":
            if report.status == "going_ahead":
                return [_Fact("confirmed", {"status": "going_ahead"}, f"{who} confirms it")]
            return []  # announced/rescheduled again: nothing new
        return [
            _Fact(
                _OFF_KIND[report.status],
                {"status": report.status},
                f"{who} now reports it {report.status}",
                decides=True,
            )
        ]
    if not newer:
        return [
            _Fact(
                "ignored",
                {},
                f"kept {state.status}: {who} is older than the report that set it",
            )
        ]
    kind = "reinstated" if new == "on" else _OFF_KIND[report.status]
    held = None
    reason = f"{who} reports it {report.status.replace('_', ' ')}"
    if report.authority.rank < state.authority:
        held = (
            f"{who} is newer but ranks below {_rank(state.authority)}, which said "
            f"{state.status.replace('_', ' ')}; an operator should confirm"
        )
    return [_Fact(kind, {"status": report.status}, reason, held=held, decides=True)]


def _area_facts(state: StrikeState, report: Report, cover: AreaCover | None) -> list[_Fact]:
    new_codes = report.area_codes - state.area_codes
    known = {place_key(n) for n in state.area_names}
    new_names = tuple(n for n in report.area_names if place_key(n) not in known)
    if not new_codes and not new_names:
        return []
    fields: dict[str, object] = {}
    if new_codes:
        fields["area_codes"] = state.area_codes | new_codes
    if new_names:
        fields["area_names"] = state.area_names + new_names
    if not new_codes:
        return [_Fact("details_added", fields, "adds place names")]
    added = ", ".join(sorted(new_codes))
    if state.area_codes and cover is not None and cover.covers(state.area_codes, new_codes):
        return [_Fact("details_added", fields, f"names areas {added} inside its areas")]
    return [_Fact("areas_widened", fields, f"{report.authority.describe()} adds areas {added}")]


def _topic_facts(state: StrikeState, report: Report) -> list[_Fact]:
    """A strike at an NHS employer is NHS news even when one report filed it elsewhere.

    Topics decide who hears of a strike, so a record first filed under, say, councils is moved
    to the health topic a report about the same employer gives it (never the other way).
    """
    if report.topic == state.topic or report.topic not in HEALTH_TOPICS:
        return []
    if state.topic in HEALTH_TOPICS and state.topic != "other_nhs":
        return []
    shared = {employer_key(e) for e in state.employers} & {
        employer_key(e) for e in report.employers
    }
    if state.topic not in HEALTH_TOPICS and not shared:
        return []
    return [
        _Fact(
            "topic_changed",
            {"topic": report.topic},
            f"{report.authority.describe()} files it under {report.topic}, not {state.topic}",
        )
    ]


def _detail_facts(state: StrikeState, report: Report) -> list[_Fact]:
    fields: dict[str, object] = {}
    unions = tuple(sorted(set(state.unions) | set(report.unions)))
    if unions != state.unions:
        fields["unions"] = unions
    for name in ("staff", "employers"):
        have: tuple[str, ...] = getattr(state, name)
        keyed = {employer_key(v) if name == "employers" else v.lower() for v in have}
        extra = tuple(
            v
            for v in getattr(report, name)
            if (employer_key(v) if name == "employers" else v.lower()) not in keyed
        )
        if extra:
            fields[name] = have + extra
    if not fields:
        return []
    return [_Fact("details_added", fields, "adds names of unions, staff or employers")]


# --- decisions ------------------------------------------------------------------------------


def _alert_for(kind: str, after: StrikeState, now: datetime) -> tuple[str, str]:
    """The alert a change carries, and a note when it is silenced."""
    alert = _KIND_ALERT.get(kind, NO_ALERT)
    if alert == NO_ALERT:
        return NO_ALERT, ""
    if after.is_over(now):
        return NO_ALERT, "; walkout already over, no alert"
    if after.held:
        return NO_ALERT, "; strike not yet approved, no alert"
    if alert == CHANGED and side(after.status) == "off" and kind != "reinstated":
        return NO_ALERT, "; strike is off, no alert"
    return alert, ""


def _plan(
    kinds: list[_Fact],
    before: StrikeState,
    report: Report,
    now: datetime,
    approval: str,
    held_reason: str | None = None,
) -> tuple[ChangePlan, StrikeState]:
    fields: dict[str, object] = {}
    for fact in kinds:
        fields.update(fact.fields)
    if any(f.decides for f in kinds) and report.authority.rank >= before.authority:
        fields["authority"] = report.authority.rank
    if any(f.decides for f in kinds):
        latest = before.decided_at
        fields["decided_at"] = report.published if latest is None else max(latest, report.published)
    after = replace(before, **fields)  # type: ignore[arg-type]
    kind = min((f.kind for f in kinds), key=KIND_ORDER.index)
    alert, note = _alert_for(kind, after, now)
    reason = "; ".join(dict.fromkeys(f.reason for f in kinds))
    if held_reason:
        reason += f"; held: {held_reason}"
    elif approval == PENDING:
        reason += f"; held: confidence {report.confidence:.2f} is below the approval threshold"
    plan = ChangePlan(
        kind=kind,
        alert_kind=alert,
        before=before,
        after=after,
        reason=reason + note,
        confidence=report.confidence,
        approval=approval,
    )
    return plan, after


def _new_strike(
    report: Report, now: datetime, threshold: float, taken: set[str] | frozenset[str]
) -> Decision:
    key = canonical_key(report, taken)
    confident = report.confidence >= threshold
    state = replace(report.as_state(key), held=not confident)
    who = report.authority.describe()
    if report.is_dispute_only:
        kind, alert = report.status, NO_ALERT
        reason = f"{report.status.replace('_', ' ')} first reported by {who}; not a walkout"
    else:
        kind = "new"
        reason = f"first reported by {who}"
        if side(report.status) == "off":
            alert = NO_ALERT
            reason += f", already {report.status}; no alert"
        elif state.is_over(now):
            alert = NO_ALERT
            reason += "; walkout already over, no alert"
        else:
            alert = ANNOUNCED
    if not confident:
        reason += f"; held: confidence {report.confidence:.2f} is below the approval threshold"
    plan = ChangePlan(
        kind=kind,
        alert_kind=alert,
        before=None,
        after=state,
        reason=reason,
        confidence=report.confidence,
        approval=AUTO if confident else PENDING,
    )
    return Decision("new", state, None, (plan,), reason)


def _release_held(
    state: StrikeState,
    report: Report,
    now: datetime,
    threshold: float,
    cover: AreaCover | None = None,
) -> Decision | None:
    """A confident report of a strike whose first report is held confirms it."""
    if not state.held or report.confidence < threshold:
        return None
    fresh = _merge_existing(replace(state, held=False), report, now, threshold, cover)
    base = fresh.strike if fresh.strike is not None else replace(state, held=False)
    who = report.authority.describe()
    alert = ANNOUNCED
    note = ""
    if not base.is_walkout:
        alert = NO_ALERT
    elif side(base.status) == "off":
        alert, note = NO_ALERT, "; strike is off, no alert"
    elif base.is_over(now):
        alert, note = NO_ALERT, "; walkout already over, no alert"
    kind = "new" if base.is_walkout else base.status
    pending = tuple(c for c in fresh.changes if c.approval == PENDING)
    plan = ChangePlan(
        kind=kind,
        alert_kind=alert,
        before=state,
        after=base,
        reason=f"confirmed by {who}; its first report was held{note}",
        confidence=report.confidence,
        approval=AUTO,
    )
    return Decision("merged", base, state.key, (plan, *pending), plan.reason)


def _merge_existing(
    state: StrikeState,
    report: Report,
    now: datetime,
    threshold: float,
    cover: AreaCover | None = None,
) -> Decision:
    facts = (
        _status_facts(state, report)
        + _time_facts(state, report)
        + _area_facts(state, report, cover)
        + _topic_facts(state, report)
        + _detail_facts(state, report)
    )
    ignored = [f.reason for f in facts if f.kind == "ignored"]
    facts = [f for f in facts if f.kind != "ignored"]
    confident = report.confidence >= threshold
    who = report.authority.describe()
    if not facts:
        reason = "; ".join([f"same strike, also reported by {who}", *ignored])
        return Decision("merged", state, state.key, (), reason)
    substantive = [f for f in facts if f.kind != "details_added"]
    if not substantive and not confident:
        reason = f"same strike, also reported by {who}; low-confidence details not added"
        return Decision("merged", state, state.key, (), reason)
    auto = [f for f in facts if confident and f.held is None]
    held = [f for f in facts if not (confident and f.held is None)]
    # Details ride with whichever group has substance; alone they are recorded automatically.
    if not [f for f in auto if f.kind != "details_added"] and held:
        held = held + [f for f in auto if f.kind == "details_added"]
        auto = []
    changes: list[ChangePlan] = []
    current = state
    if auto:
        plan, current = _plan(auto, current, report, now, AUTO)
        changes.append(plan)
    if held:
        held_reason = next((f.held for f in held if f.held), None)
        plan, _ = _plan(held, current, report, now, PENDING, held_reason)
        changes.append(plan)
    reason = "; ".join([c.reason for c in changes] + ignored)
    return Decision("merged", current, state.key, tuple(changes), reason)


def merge_report(
    strikes: Sequence[StrikeState],
    report: Report,
    now: datetime,
    *,
    approval_threshold: float,
    cover: AreaCover | None = None,
) -> Decision:
    """Decide what one report means for the strikes that could match it.

    ``cover`` (optional) tells whether newly named areas lie inside the strike's areas already,
    so that a local paper naming its own county inside a regional strike alerts nobody twice.
    """
    if not 0.0 <= approval_threshold <= 1.0:
        raise ValueError(f"approval_threshold {approval_threshold} is outside 0..1")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if report.start is None and not report.is_dispute_only:
        return Decision("ignored", None, None, (), "walkout report without a date; not recorded")
    match = best_match(strikes, report, cover)
    if match is None:
        return _new_strike(report, now, approval_threshold, {s.key for s in strikes})
    released = _release_held(match, report, now, approval_threshold, cover)
    decision = released or _merge_existing(match, report, now, approval_threshold, cover)
    return _with_links(decision, match, report)


def _with_links(decision: Decision, match: StrikeState, report: Report) -> Decision:
    """Point "details" at the best-ranked source, and keep a summary sentence."""
    if decision.strike is None:
        return decision
    updates: dict[str, object] = {}
    if report.url and (match.details_url is None or report.authority.rank > match.authority):
        updates["details_url"] = report.url
    if not match.summary and report.evidence:
        updates["summary"] = report.evidence[0][:500]
    if not updates:
        return decision
    return replace(decision, strike=replace(decision.strike, **updates))  # type: ignore[arg-type]


def _move(
    state: StrikeState, off: Report, new: Report, now: datetime, threshold: float
) -> Decision:
    """An article that puts a strike off and names its new dates moves the strike."""
    newer = state.decided_at is None or new.published >= state.decided_at
    if not newer:
        reason = f"kept {state.status}: {new.authority.describe()} is older than the last report"
        return Decision("merged", state, state.key, (), reason)
    assert state.start is not None and new.start is not None
    fields: dict[str, object] = {
        "status": "rescheduled",
        "start": new.start,
        "end": new.end,
        "all_day": new.all_day,
        "end_all_day": new.end_all_day,
    }
    old_day = uk_date(state.start).isoformat()
    new_day = uk_date(new.start).isoformat()
    held = None
    if new.authority.rank < state.authority:
        held = (
            f"{new.authority.describe()} ranks below {_rank(state.authority)}, "
            "which set the dates; an operator should confirm"
        )
    fact = _Fact(
        "rescheduled",
        fields,
        f"{new.authority.describe()} moves it from {old_day} to {new_day}",
        held=held,
        decides=True,
    )
    confident = min(off.confidence, new.confidence) >= threshold
    approval = AUTO if confident and held is None else PENDING
    report = new if new.confidence <= off.confidence else off
    plan, after = _plan([fact], state, report, now, approval, held)
    stored = after if approval == AUTO else state
    return Decision("merged", stored, state.key, (plan,), plan.reason)


def _moves(
    strikes: Sequence[StrikeState], reports: Sequence[Report], cover: AreaCover | None
) -> dict[int, int]:
    """Pairs (index of a new-date report -> index of the off report whose strike it moves).

    An article that puts a known strike off and, for the same union and places, names a new
    date no strike has yet ("postponed ... will now walk out on 4 February") moves the strike:
    one change people hear about, not a call-off and a fresh announcement. A plain cancellation
    pairs only with a date the article itself calls rescheduled.
    """
    pairs: dict[int, int] = {}
    used: set[int] = set()
    for i, new in enumerate(reports):
        if new.status not in ("rescheduled", "announced") or new.start is None:
            continue
        if best_match(strikes, new, cover):
            continue
        allowed: tuple[str, ...] = ("postponed", "suspended", "cancelled")
        if new.status != "rescheduled":
            allowed = ("postponed", "suspended")
        for j, off in enumerate(reports):
            if j in used or off.status not in allowed:
                continue
            if off.start is None or uk_date(off.start) == uk_date(new.start):
                continue
            target = best_match(strikes, off, cover)
            if target is None or side(target.status) != "on":
                continue
            if set(off.unions) != set(new.unions) or places_overlap(off, new, cover) is False:
                continue
            pairs[i] = j
            used.add(j)
            break
    return pairs


def _partial_call_offs(
    strikes: Sequence[StrikeState], reports: Sequence[Report], cover: AreaCover | None
) -> dict[int, int]:
    """Off reports that an on report of the same article contradicts for other places.

    "Called off in Wales, going ahead in England" must not turn the whole strike off and then on
    again: index of the off report -> index of the on report.
    """
    out: dict[int, int] = {}
    for i, off in enumerate(reports):
        if side(off.status) != "off" or not (off.area_codes or off.area_names):
            continue
        target = best_match(strikes, off, cover)
        if target is None:
            continue
        for j, on in enumerate(reports):
            if side(on.status) != "on" or best_match(strikes, on, cover) != target:
                continue
            if places_overlap(off, on, cover) is False:
                out[i] = j
                break
    return out


def _narrow(state: StrikeState, off: Report, on: Report, cover: AreaCover | None) -> Decision:
    """Take the places an article calls off out of a strike that goes ahead elsewhere; held."""

    def inside(code: str) -> bool:
        return code in off.area_codes or (
            cover is not None
            and bool(off.area_codes)
            and cover.covers(off.area_codes, frozenset({code}))
        )

    gone_names = {place_key(n) for n in off.area_names}
    after = replace(
        state,
        area_codes=frozenset(c for c in state.area_codes if not inside(c)),
        area_names=tuple(n for n in state.area_names if place_key(n) not in gone_names),
    )
    where = ", ".join(off.area_names) or ", ".join(sorted(off.area_codes))
    elsewhere = ", ".join(on.area_names) or ", ".join(sorted(on.area_codes)) or "elsewhere"
    reason = (
        f"{off.authority.describe()} reports it {off.status} for {where} but going ahead for "
        f"{elsewhere}; held: an operator should confirm which places are off"
    )
    plan = ChangePlan(
        kind="areas_narrowed",
        alert_kind=CHANGED,
        before=state,
        after=after,
        reason=reason,
        confidence=off.confidence,
        approval=PENDING,
    )
    return Decision("merged", state, state.key, (plan,), reason)


def merge_article(
    strikes: Sequence[StrikeState],
    reports: Sequence[Report],
    now: datetime,
    *,
    approval_threshold: float,
    cover: AreaCover | None = None,
) -> list[Decision]:
    """Decide every report of one article in turn, each seeing what the earlier ones did."""
    current: list[StrikeState] = list(strikes)
    decisions: list[Decision] = []
    moves = _moves(current, reports, cover)
    moved_from = set(moves.values())
    partial = _partial_call_offs(current, reports, cover)
    for i, report in enumerate(reports):
        if i in moved_from:
            continue
        if i in moves:
            off = reports[moves[i]]
            target = best_match(current, off, cover)
            assert target is not None
            decision = _move(target, off, report, now, approval_threshold)
        elif i in partial:
            target = best_match(current, report, cover)
            assert target is not None
            decision = _narrow(target, report, reports[partial[i]], cover)
        else:
            decision = merge_report(
                current, report, now, approval_threshold=approval_threshold, cover=cover
            )
        decisions.append(decision)
        if decision.strike is None:
            continue
        if decision.matched_key is None:
            current.append(decision.strike)
        else:
            current = [decision.strike if s.key == decision.matched_key else s for s in current]
    return decisions
