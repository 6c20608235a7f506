"""Pure merge decisions: many reports of one walkout become one strike with a history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.db_types import UK_TZ
from feeds.detection.types import DetectedEvent
from feeds.strikes.authority import (
    LOCAL_NEWS,
    NATIONAL_NEWS,
    OFFICIAL,
    Authority,
    authority_for,
)
from feeds.strikes.merge import Decision, merge_article, merge_report
from feeds.strikes.names import canonical_union, employer_key
from feeds.strikes.state import Report, ReportError, StrikeState, report_from_event

UNION = authority_for("union", source_name="GMB")
TRUST = authority_for("nhs_trust", source_name="South East Coast Ambulance Service")
BBC = authority_for("news", source_name="BBC News", url="https://www.bbc.co.uk/news/x")
LOCAL = authority_for("news", source_name="Kent Courier", default_areas=("E10000016",))

SOUTH_EAST = "E40000005"
KENT = "E10000016"
SECAMB = "RYD"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
THRESHOLD = 0.75


def uk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UK_TZ)


def event(
    *,
    start: str | None = "2026-01-21T07:00",
    end: str | None = "2026-01-21T19:00",
    status: str = "announced",
    unions: tuple[str, ...] = ("GMB",),
    employers: tuple[str, ...] = ("South East Coast Ambulance Service NHS Foundation Trust",),
    areas: tuple[str, ...] = ("South East",),
    codes: tuple[str, ...] = (SOUTH_EAST,),
    confidence: float = 0.9,
    topic: str = "ambulance",
) -> DetectedEvent:
    return DetectedEvent(
        unions=list(unions),
        staff=["ambulance workers"],
        employers=list(employers),
        areas=list(areas),
        area_codes=list(codes),
        start=uk(start) if start else None,
        start_has_time=bool(start and "T" in start),
        end=uk(end) if end else None,
        end_has_time=bool(end and "T" in end),
        status=status,
        confidence=confidence,
        evidence=["GMB members will walk out."],
        topic=topic,
    )


def report(ev: DetectedEvent, who: Authority, published: str, article_id: int = 0) -> Report:
    return report_from_event(ev, authority=who, published=uk(published), article_id=article_id)


@dataclass
class Ledger:
    """What the pipeline would store: states by key, sources and changes (applied or held)."""

    strikes: dict[str, StrikeState] = field(default_factory=dict)
    sources: dict[str, list[int]] = field(default_factory=dict)
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)  # key, kind, alert, appr
    decisions: list[Decision] = field(default_factory=list)

    def feed(self, rep: Report, now: datetime = NOW) -> Decision:
        decision = merge_report(list(self.strikes.values()), rep, now, approval_threshold=THRESHOLD)
        self._store(decision, rep.article_id)
        return decision

    def _store(self, decision: Decision, article_id: int | None) -> None:
        self.decisions.append(decision)
        if decision.strike is None:
            return
        key = decision.matched_key or decision.strike.key
        self.strikes[key] = decision.strike
        self.sources.setdefault(key, [])
        if article_id is not None and article_id not in self.sources[key]:
            self.sources[key].append(article_id)
        for c in decision.changes:
            self.changes.append((key, c.kind, c.alert_kind, c.approval))

    def only(self) -> StrikeState:
        assert len(self.strikes) == 1, list(self.strikes)
        return next(iter(self.strikes.values()))


def test_same_walkout_from_four_sources_is_one_strike_with_four_sources() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    ledger.feed(
        report(
            event(
                start="2026-01-21",
                end=None,
                unions=("GMB union",),
                employers=("SECAmb",),
                areas=(),
                codes=(SECAMB,),
            ),
            TRUST,
            "2026-01-06T09:00",
            2,
        )
    )
    ledger.feed(
        report(
            event(unions=("the GMB",), employers=(), areas=("South East England",)),
            BBC,
            "2026-01-06T12:00",
            3,
        )
    )
    ledger.feed(
        report(
            event(
                unions=("GMB members",),
                employers=("South East Coast Ambulance Service",),
                areas=("Kent",),
                codes=(KENT,),
            ),
            LOCAL,
            "2026-01-07T08:00",
            4,
        )
    )
    strike = ledger.only()
    key = strike.key
    assert key == "gmb|south-east-coast-ambulance|2026-01-21"
    assert ledger.sources[key] == [1, 2, 3, 4]
    assert strike.start == uk("2026-01-21T07:00") and strike.end == uk("2026-01-21T19:00")
    assert strike.unions == ("GMB",)
    assert strike.area_codes == {SOUTH_EAST, SECAMB, KENT}
    assert strike.authority == OFFICIAL
    # One announcement; the trust and local paper each widen the areas (no area table here).
    kinds = [(k, a) for _, k, a, _ in ledger.changes]
    assert kinds[0] == ("new", "announced")
    assert ("areas_widened", "changed") in kinds
    assert all(appr == "auto" for *_, appr in ledger.changes)


def test_area_inside_strike_areas_is_named_without_an_alert() -> None:
    class Table:
        def covers(self, existing: frozenset[str], new: frozenset[str]) -> bool:
            return existing >= {SOUTH_EAST} and new <= {KENT}

        def overlaps(self, a: frozenset[str], b: frozenset[str]) -> bool:
            return bool({SOUTH_EAST, KENT} & a) and bool({SOUTH_EAST, KENT} & b)

    first = merge_report(
        [], report(event(), UNION, "2026-01-05T10:00", 1), NOW, approval_threshold=THRESHOLD
    )
    assert first.strike is not None
    second = merge_report(
        [first.strike],
        report(event(areas=("Kent",), codes=(KENT,)), LOCAL, "2026-01-06T10:00", 2),
        NOW,
        approval_threshold=THRESHOLD,
        cover=Table(),
    )
    assert second.strike is not None and KENT in second.strike.area_codes
    assert [(c.kind, c.alert_kind) for c in second.changes] == [("details_added", "none")]


def test_union_and_employer_aliases_fold() -> None:
    assert canonical_union("Royal College of Nursing") == "RCN"
    assert canonical_union("the RCN") == "RCN"
    assert canonical_union("Unite the Union") == "Unite"
    assert canonical_union("British Medical Association (BMA)") == "BMA"
    assert employer_key("SECAmb") == employer_key(
        "South East Coast Ambulance Service NHS Foundation Trust"
    )
    assert employer_key("London Ambulance Service NHS Trust") == employer_key("LAS")
    assert employer_key("North West Ambulance Service") != employer_key("LAS")


def test_different_union_same_day_is_a_different_strike() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    ledger.feed(report(event(unions=("Unison",)), UNION, "2026-01-05T11:00", 2))
    assert len(ledger.strikes) == 2


def test_same_union_other_place_other_hours_stays_apart() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    ledger.feed(
        report(
            event(
                employers=("North West Ambulance Service",),
                areas=("North West",),
                codes=("E40000010",),
                start="2026-01-21T10:00",
                end="2026-01-21T22:00",
            ),
            UNION,
            "2026-01-05T11:00",
            2,
        )
    )
    assert len(ledger.strikes) == 2
    # Same union, other trust, same hours: one walkout whose areas widen.
    ledger.feed(
        report(
            event(
                employers=("Yorkshire Ambulance Service",),
                areas=("Yorkshire",),
                codes=("E40000009",),
            ),
            UNION,
            "2026-01-05T12:00",
            3,
        )
    )
    assert len(ledger.strikes) == 2
    first = ledger.strikes["gmb|south-east-coast-ambulance|2026-01-21"]
    assert "E40000009" in first.area_codes


def test_times_changed_by_the_union_is_a_change_alert() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    d = ledger.feed(
        report(
            event(start="2026-01-21T00:01", end="2026-01-21T23:59"), UNION, "2026-01-08T10:00", 2
        )
    )
    strike = ledger.only()
    assert strike.start == uk("2026-01-21T00:01") and strike.end == uk("2026-01-21T23:59")
    (change,) = d.changes
    assert (change.kind, change.alert_kind, change.approval) == ("times_changed", "changed", "auto")
    assert change.before is not None and change.before.start == uk("2026-01-21T07:00")
    assert "newer report of equal rank" in change.reason


def test_date_only_report_does_not_erase_hours_and_hours_refine_a_date() -> None:
    ledger = Ledger()
    ledger.feed(report(event(start="2026-01-21", end=None), BBC, "2026-01-05T10:00", 1))
    assert ledger.only().all_day
    d = ledger.feed(report(event(), LOCAL, "2026-01-05T11:00", 2))
    (change,) = d.changes
    assert change.kind == "times_changed" and change.approval == "auto"
    assert "gives the hours" in change.reason
    assert not ledger.only().all_day and ledger.only().start == uk("2026-01-21T07:00")
    d = ledger.feed(report(event(start="2026-01-21", end=None), UNION, "2026-01-06T11:00", 3))
    assert ledger.only().start == uk("2026-01-21T07:00")
    assert all(c.kind != "times_changed" for c in d.changes)


def test_areas_widened_alerts_changed() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    d = ledger.feed(
        report(
            event(areas=("South East", "London"), codes=(SOUTH_EAST, "E40000003")),
            UNION,
            "2026-01-06T10:00",
            2,
        )
    )
    (change,) = d.changes
    assert (change.kind, change.alert_kind) == ("areas_widened", "changed")
    assert "E40000003" in change.reason
    assert ledger.only().area_codes == {SOUTH_EAST, "E40000003"}
    # A later report naming fewer places does not narrow the strike.
    ledger.feed(report(event(), BBC, "2026-01-07T10:00", 3))
    assert ledger.only().area_codes == {SOUTH_EAST, "E40000003"}


def test_suspended_then_reinstated() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    d = ledger.feed(report(event(status="suspended"), UNION, "2026-01-10T10:00", 2))
    assert [(c.kind, c.alert_kind) for c in d.changes] == [("suspended", "called_off")]
    assert ledger.only().status == "suspended"
    d = ledger.feed(report(event(status="announced"), UNION, "2026-01-15T10:00", 3))
    assert [(c.kind, c.alert_kind) for c in d.changes] == [("reinstated", "changed")]
    assert ledger.only().status == "announced"


def test_called_off() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    d = ledger.feed(
        report(
            event(status="cancelled", start="2026-01-21", end=None), TRUST, "2026-01-12T10:00", 2
        )
    )
    (change,) = d.changes
    assert (change.kind, change.alert_kind, change.approval) == ("called_off", "called_off", "auto")
    assert change.after.status == "cancelled" and change.before is not None
    assert change.before.status == "announced"
    # The hours stay as the union gave them; a date-only call-off does not wipe them.
    assert ledger.only().start == uk("2026-01-21T07:00")


def test_older_report_never_flips_status() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    ledger.feed(report(event(status="cancelled"), UNION, "2026-01-12T10:00", 2))
    d = ledger.feed(report(event(status="announced"), BBC, "2026-01-06T10:00", 3))
    assert d.changes == ()
    assert ledger.only().status == "cancelled"
    assert "older than the report that set it" in d.reason
    assert ledger.sources[ledger.only().key] == [1, 2, 3]


def test_conflicting_hours_decided_by_authority_with_reason() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    # An older local paper with other hours: the union's hours stand.
    d = ledger.feed(report(event(start="2026-01-21T08:00"), LOCAL, "2026-01-04T10:00", 2))
    assert d.changes == () and ledger.only().start == uk("2026-01-21T07:00")
    assert "ranks below" in d.reason
    # A newer national report with other hours: held for an operator, not applied.
    d = ledger.feed(report(event(start="2026-01-21T09:00"), BBC, "2026-01-06T10:00", 3))
    (held,) = d.changes
    assert held.approval == "pending" and held.kind == "times_changed"
    assert "ranks below the union or trust itself" in held.reason
    assert ledger.only().start == uk("2026-01-21T07:00")
    assert held.after.start == uk("2026-01-21T09:00")


def test_higher_authority_overrides_even_when_older() -> None:
    ledger = Ledger()
    ledger.feed(report(event(start="2026-01-21T09:00"), BBC, "2026-01-06T10:00", 1))
    d = ledger.feed(report(event(), UNION, "2026-01-05T10:00", 2))
    (change,) = d.changes
    assert change.approval == "auto" and "outranks national news" in change.reason
    assert ledger.only().start == uk("2026-01-21T07:00")
    assert ledger.only().authority == OFFICIAL


def test_newer_lower_ranked_call_off_is_held() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    d = ledger.feed(report(event(status="cancelled"), LOCAL, "2026-01-12T10:00", 2))
    (change,) = d.changes
    assert change.approval == "pending" and change.kind == "called_off"
    assert ledger.only().status == "announced"


def test_low_confidence_report_is_held_and_strike_held() -> None:
    d = merge_report(
        [],
        report(event(confidence=0.5), UNION, "2026-01-05T10:00", 1),
        NOW,
        approval_threshold=THRESHOLD,
    )
    (change,) = d.changes
    assert change.approval == "pending" and change.alert_kind == "announced"
    assert "confidence 0.50 is below" in change.reason
    assert d.strike is not None and d.strike.held
    # A confident second report confirms it and releases the announcement.
    d2 = merge_report(
        [d.strike], report(event(), BBC, "2026-01-06T10:00", 2), NOW, approval_threshold=THRESHOLD
    )
    assert d2.strike is not None and not d2.strike.held
    assert [(c.kind, c.alert_kind, c.approval) for c in d2.changes] == [
        ("new", "announced", "auto")
    ]


def test_low_confidence_change_to_a_known_strike_is_held_not_applied() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    d = ledger.feed(report(event(status="suspended", confidence=0.4), UNION, "2026-01-10T10:00", 2))
    (change,) = d.changes
    assert change.approval == "pending" and change.after.status == "suspended"
    assert ledger.only().status == "announced"


def test_past_walkout_is_recorded_without_alert() -> None:
    now = datetime(2026, 1, 22, 9, 0, tzinfo=UTC)
    d = merge_report(
        [], report(event(), UNION, "2026-01-05T10:00", 1), now, approval_threshold=THRESHOLD
    )
    (change,) = d.changes
    assert change.kind == "new" and change.alert_kind == "none"
    assert "already over" in change.reason
    # A walkout under way at ``now`` is still news.
    during = datetime(2026, 1, 21, 12, 0, tzinfo=UTC)
    d = merge_report(
        [], report(event(), UNION, "2026-01-05T10:00", 1), during, approval_threshold=THRESHOLD
    )
    assert d.changes[0].alert_kind == "announced"


def test_call_off_of_unknown_strike_records_without_alert() -> None:
    d = merge_report(
        [],
        report(event(status="cancelled"), UNION, "2026-01-05T10:00", 1),
        NOW,
        approval_threshold=THRESHOLD,
    )
    assert d.strike is not None and d.strike.status == "cancelled"
    assert d.changes[0].alert_kind == "none"


def test_ballot_and_deal_are_records_without_walkouts() -> None:
    ledger = Ledger()
    d = ledger.feed(
        report(event(status="ballot", start=None, end=None), UNION, "2026-01-05T10:00", 1)
    )
    assert d.outcome == "new" and d.changes[0].kind == "ballot"
    assert d.changes[0].alert_kind == "none"
    assert d.strike is not None and not d.strike.is_walkout
    d = ledger.feed(
        report(event(status="deal_accepted", start=None, end=None), BBC, "2026-03-01T10:00", 2)
    )
    assert d.outcome == "merged"
    assert [(c.kind, c.alert_kind) for c in d.changes] == [("deal_accepted", "none")]
    assert ledger.only().status == "deal_accepted"


def test_reschedule_moves_the_strike() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    off = report(event(status="postponed"), UNION, "2026-01-12T10:00", 2)
    new = report(
        event(status="rescheduled", start="2026-02-04T07:00", end="2026-02-04T19:00"),
        UNION,
        "2026-01-12T10:00",
        2,
    )
    decisions = merge_article(
        list(ledger.strikes.values()), [off, new], NOW, approval_threshold=THRESHOLD
    )
    (d,) = decisions
    ledger._store(d, 2)
    strike = ledger.only()
    assert strike.start == uk("2026-02-04T07:00") and strike.status == "rescheduled"
    (change,) = d.changes
    assert (change.kind, change.alert_kind) == ("rescheduled", "changed")
    assert "from 2026-01-21 to 2026-02-04" in change.reason


def test_postponed_without_new_date_is_called_off_alert() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    d = ledger.feed(report(event(status="postponed"), UNION, "2026-01-12T10:00", 2))
    assert [(c.kind, c.alert_kind) for c in d.changes] == [("postponed", "called_off")]


def test_same_report_twice_changes_nothing() -> None:
    ledger = Ledger()
    rep = report(event(), UNION, "2026-01-05T10:00", 1)
    ledger.feed(rep)
    d = ledger.feed(rep)
    assert d.outcome == "merged" and d.changes == ()
    assert ledger.sources[ledger.only().key] == [1]


def test_going_ahead_is_a_silent_confirmation() -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    d = ledger.feed(report(event(status="going_ahead"), BBC, "2026-01-20T10:00", 2))
    assert [(c.kind, c.alert_kind) for c in d.changes] == [("confirmed", "none")]


def test_topics_keep_transport_and_health_apart() -> None:
    ledger = Ledger()
    ledger.feed(report(event(unions=("Unite",)), UNION, "2026-01-05T10:00", 1))
    bus = event(
        unions=("Unite",), topic="transport", employers=("Arriva",), areas=("Kent",), codes=(KENT,)
    )
    ledger.feed(report(bus, UNION, "2026-01-05T10:00", 2))
    assert len(ledger.strikes) == 2
    # A mislabelled topic does not split reports that share the employer.
    ledger.feed(report(event(unions=("Unite",), topic="councils"), UNION, "2026-01-06T10:00", 3))
    assert len(ledger.strikes) == 2


def test_bad_reports_are_refused_with_reasons() -> None:
    with pytest.raises(ReportError, match="before it starts"):
        report(event(start="2026-01-21T19:00", end="2026-01-21T07:00"), UNION, "2026-01-05T10:00")
    with pytest.raises(ReportError, match="unknown event status"):
        report(event(status="maybe"), UNION, "2026-01-05T10:00")
    with pytest.raises(ValueError, match="threshold"):
        merge_report([], report(event(), UNION, "2026-01-05T10:00"), NOW, approval_threshold=2)
    undated = merge_report(
        [],
        report(event(start=None, end=None), UNION, "2026-01-05T10:00"),
        NOW,
        approval_threshold=THRESHOLD,
    )
    assert undated.outcome == "ignored" and "without a date" in undated.reason


def test_authority_ranks() -> None:
    assert UNION.rank == TRUST.rank == OFFICIAL
    assert BBC.rank == NATIONAL_NEWS
    assert LOCAL.rank == LOCAL_NEWS
    assert authority_for("news_search", source_name="Sunderland Echo").rank == LOCAL_NEWS
    assert authority_for("news_search", source_name="The Guardian").rank == NATIONAL_NEWS


def _four_reports() -> list[Report]:
    return [
        report(event(), UNION, "2026-01-05T10:00", 1),
        report(
            event(start="2026-01-21", end=None, employers=("SECAmb",), areas=(), codes=(SECAMB,)),
            TRUST,
            "2026-01-06T09:00",
            2,
        ),
        report(event(employers=(), areas=("South East England",)), BBC, "2026-01-06T12:00", 3),
        report(
            event(start="2026-01-21", end=None, areas=("Kent",), codes=(KENT,)),
            LOCAL,
            "2026-01-07T08:00",
            4,
        ),
    ]


@settings(max_examples=40, deadline=None)
@given(order=st.permutations(range(4)), repeat=st.lists(st.integers(0, 3), max_size=3))
def test_any_arrival_order_gives_one_strike_with_the_unions_hours(
    order: list[int], repeat: list[int]
) -> None:
    reports = _four_reports()
    ledger = Ledger()
    for i in order:
        ledger.feed(reports[i])
    settled = len(ledger.changes)
    for i in repeat:  # a report seen again changes nothing
        ledger.feed(reports[i])
    assert len(ledger.changes) == settled
    strike = ledger.only()
    assert sorted(ledger.sources[strike.key]) == [1, 2, 3, 4]
    assert strike.start == uk("2026-01-21T07:00") and strike.end == uk("2026-01-21T19:00")
    assert [k for _, k, _, _ in ledger.changes].count("new") == 1
    assert ("new", "announced") in [(k, a) for _, k, a, _ in ledger.changes]
    assert all(appr == "auto" for *_, appr in ledger.changes)


class _SouthEast:
    """Stands in for the area table: the English region and its ambulance trust share ground."""

    region, trust = "E12000008", SECAMB

    def covers(self, existing: frozenset[str], new: frozenset[str]) -> bool:
        return False

    def overlaps(self, a: frozenset[str], b: frozenset[str]) -> bool:
        both = {self.region, self.trust}
        return bool(a & both) and bool(b & both)


def test_reports_naming_region_and_trust_are_one_walkout_with_the_area_table() -> None:
    union = report(event(employers=(), areas=(), codes=(SECAMB,)), UNION, "2026-01-05T10:00", 1)
    bbc = report(
        event(employers=(), areas=(), codes=("E12000008",), start="2026-01-21T08:00"),
        BBC,
        "2026-01-06T10:00",
        2,
    )
    first = merge_report([], union, NOW, approval_threshold=THRESHOLD)
    assert first.strike is not None
    apart = merge_report([first.strike], bbc, NOW, approval_threshold=THRESHOLD)
    assert apart.outcome == "new"  # no way to tell the places meet, and the hours differ
    joined = merge_report(
        [first.strike], bbc, NOW, approval_threshold=THRESHOLD, cover=_SouthEast()
    )
    assert joined.outcome == "merged" and joined.matched_key == first.strike.key
    (held,) = [c for c in joined.changes if c.kind == "times_changed"]
    assert held.approval == "pending"  # newer national news against the union's own hours


def test_new_hours_for_one_of_several_employers_are_held() -> None:
    ledger = Ledger()
    ledger.feed(
        report(
            event(employers=("SECAmb", "London Ambulance Service")), UNION, "2026-01-05T10:00", 1
        )
    )
    d = ledger.feed(
        report(event(employers=("SECAmb",), start="2026-01-21T00:01"), UNION, "2026-01-08T10:00", 2)
    )
    (held,) = d.changes
    assert held.approval == "pending" and "names only SECAmb" in held.reason
    assert ledger.only().start == uk("2026-01-21T07:00")


def test_reports_in_different_words_merge() -> None:
    ledger = Ledger()

    def nurses(unions: tuple[str, ...], employer: str) -> DetectedEvent:
        return event(unions=unions, employers=(employer,), topic="nursing", areas=(), codes=())

    ledger.feed(
        report(
            nurses(("Royal College of Nursing",), "Manchester University NHS Foundation Trust"),
            UNION,
            "2026-01-05T10:00",
            1,
        )
    )
    ledger.feed(
        report(
            nurses(("the RCN",), "Manchester University Foundation Trust"),
            BBC,
            "2026-01-06T10:00",
            2,
        )
    )
    # A trust post that names no union joins through the employer.
    ledger.feed(
        report(
            nurses((), "Manchester University NHS FT"),
            TRUST,
            "2026-01-06T11:00",
            3,
        )
    )
    strike = ledger.only()
    assert strike.unions == ("RCN",)
    assert ledger.sources[strike.key] == [1, 2, 3]
    assert strike.key == "rcn|manchester|2026-01-21"


def test_called_off_in_one_nation_going_ahead_in_the_other_is_held_not_flipped() -> None:
    england, wales = "E92000001", "W92000004"

    def teachers(status: str, areas: tuple[str, ...], codes: tuple[str, ...]) -> DetectedEvent:
        return event(
            status=status,
            unions=("NEU",),
            employers=(),
            topic="education",
            areas=areas,
            codes=codes,
        )

    ledger = Ledger()
    ledger.feed(
        report(
            teachers("announced", ("England", "Wales"), (england, wales)),
            UNION,
            "2026-01-05T10:00",
            1,
        )
    )
    off = report(
        teachers("cancelled", ("Wales",), (wales,)),
        BBC,
        "2026-01-12T10:00",
        2,
    )
    on = report(
        teachers("going_ahead", ("England",), (england,)),
        BBC,
        "2026-01-12T10:00",
        2,
    )
    decisions = merge_article(
        list(ledger.strikes.values()), [off, on], NOW, approval_threshold=THRESHOLD
    )
    for d in decisions:
        ledger._store(d, 2)
    strike = ledger.only()
    assert strike.status in ("announced", "going_ahead")  # never flipped off and on again
    kinds = [(k, a, appr) for _, k, a, appr in ledger.changes[1:]]
    assert ("areas_narrowed", "changed", "pending") in kinds
    assert not any(k in ("called_off", "reinstated") for k, _, _ in kinds)
    (narrow,) = [c for d in decisions for c in d.changes if c.kind == "areas_narrowed"]
    assert narrow.after.area_codes == {england}
    assert "cancelled for Wales but going ahead for England" in narrow.reason


def test_report_without_union_needs_a_shared_place_and_topic() -> None:
    ledger = Ledger()
    ledger.feed(report(event(unions=("RCN",), topic="nursing"), UNION, "2026-01-05T10:00", 1))
    # Same day, same region, no union named, but about ambulance crews: another walkout.
    ledger.feed(report(event(unions=(), employers=()), BBC, "2026-01-06T10:00", 2))
    assert len(ledger.strikes) == 2
    # The same region and topic with no union named joins the nurses' strike.
    ledger.feed(report(event(unions=(), employers=(), topic="nursing"), BBC, "2026-01-06T11:00", 3))
    assert sorted(len(v) for v in ledger.sources.values()) == [1, 2]


def test_strike_filed_outside_health_moves_to_the_health_topic_of_its_employer() -> None:
    ledger = Ledger()
    ledger.feed(report(event(topic="councils"), TRUST, "2026-01-05T10:00", 1))
    d = ledger.feed(report(event(topic="ambulance"), UNION, "2026-01-06T10:00", 2))
    assert [(c.kind, c.alert_kind) for c in d.changes] == [("topic_changed", "changed")]
    assert ledger.only().topic == "ambulance"
    # Never back out of health, and a specific health topic is not made generic.
    ledger.feed(report(event(topic="councils"), TRUST, "2026-01-07T10:00", 3))
    ledger.feed(report(event(topic="other_nhs"), BBC, "2026-01-07T11:00", 4))
    assert ledger.only().topic == "ambulance"


@pytest.mark.parametrize(("off_status", "moves"), [("postponed", True), ("cancelled", False)])
def test_put_off_with_a_new_date_in_the_same_article(off_status: str, moves: bool) -> None:
    ledger = Ledger()
    ledger.feed(report(event(), UNION, "2026-01-05T10:00", 1))
    off = report(event(status=off_status), UNION, "2026-01-12T10:00", 2)
    new = report(
        event(start="2026-02-04T07:00", end="2026-02-04T19:00"), UNION, "2026-01-12T10:00", 2
    )
    for d in merge_article(
        list(ledger.strikes.values()), [off, new], NOW, approval_threshold=THRESHOLD
    ):
        ledger._store(d, 2)
    alerts = sorted(a for _, _, a, _ in ledger.changes[1:])
    if moves:
        assert ledger.only().start == uk("2026-02-04T07:00")
        assert alerts == ["changed"]
    else:  # a call-off and a separate new walkout
        assert len(ledger.strikes) == 2
        assert alerts == ["announced", "called_off"]
