"""Phrase families real reports use that the first rules missed, each with a known answer.

Every article here is written for these tests; each test names the rule it checks.
"""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from config.db_types import UK_TZ
from feeds.detection import ArticleInput, DetectedEvent, Detection, detect
from feeds.detection.dates import Moment, extract_periods

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UK_TZ)


def spans(sentence: str, published: str) -> list[tuple[Moment, Moment | None]]:
    return [(p.start, p.end) for p in extract_periods(sentence, at(published))]


def day(y: int, m: int, d: int, hh: int | None = None, mm: int = 0) -> Moment:
    return Moment(date(y, m, d), time(hh, mm) if hh is not None else None)


def run(title: str, text: str, published: str, **kw: object) -> Detection:
    return detect(ArticleInput(title=title, text=text, published=at(published), **kw))  # type: ignore[arg-type]


def fmt(ev: DetectedEvent, which: str = "start") -> str | None:
    moment = ev.start if which == "start" else ev.end
    has_time = ev.start_has_time if which == "start" else ev.end_has_time
    if moment is None:
        return None
    return moment.astimezone(UK_TZ).strftime("%Y-%m-%dT%H:%M" if has_time else "%Y-%m-%d")


def walkouts(found: Detection) -> list[tuple[str | None, str | None, str, tuple[str, ...]]]:
    return [
        (fmt(e), fmt(e, "end"), e.status, tuple(e.unions))
        for e in found.events
        if e.start is not None
    ]


# --- 1. Date grammar ------------------------------------------------------------------------


class TestEveryWeekdayInMonth:
    def test_expands_to_each_matching_day(self) -> None:
        # Published Tuesday 10 June 2025: every Thursday in July is 3, 10, 17, 24, 31 July.
        got = spans("Bus drivers will strike every Thursday in July.", "2025-06-10T09:00")
        assert got == [(day(2025, 7, d), None) for d in (3, 10, 17, 24, 31)]

    def test_two_weekdays_and_a_year(self) -> None:
        got = spans("Staff will walk out each Monday and Friday of March 2027.", "2027-01-05T09:00")
        assert [s.day for s, _ in got] == [
            date(2027, 3, d) for d in (1, 5, 8, 12, 15, 19, 22, 26, 29)
        ]

    def test_current_month_keeps_only_days_to_come(self) -> None:
        got = spans("Porters will strike every Friday in May.", "2025-05-14T09:00")
        assert [s.day for s, _ in got] == [date(2025, 5, d) for d in (16, 23, 30)]

    @settings(max_examples=40, deadline=None)
    @given(
        month=st.integers(1, 12),
        weekday=st.integers(0, 6),
        pub=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    )
    def test_every_result_is_that_weekday_in_that_month(
        self, month: int, weekday: int, pub: date
    ) -> None:
        sentence = f"They will strike every {WEEKDAY_NAMES[weekday]} in {MONTH_NAMES[month - 1]}."
        got = [s.day for s, _ in spans(sentence, f"{pub.isoformat()}T12:00")]
        assert got, sentence
        assert all(d.month == month and d.weekday() == weekday and d >= pub for d in got)
        assert all((b - a).days == 7 for a, b in pairwise(got))


class TestBareOrdinals:
    def test_take_the_month_of_the_date_before(self) -> None:
        got = spans(
            "Cleaners will strike on Monday 2 March, with more walkouts on the 9th and 10th.",
            "2026-02-20T10:00",
        )
        assert got == [(day(2026, 3, 2), None), (day(2026, 3, 9), None), (day(2026, 3, 10), None)]

    def test_range_of_ordinals_is_one_stretch(self) -> None:
        got = spans("Further action is planned for the 21st-23rd.", "2026-02-02T10:00")
        assert got == [(day(2026, 2, 21), day(2026, 2, 23))]

    def test_a_day_already_gone_this_month_is_next_month(self) -> None:
        assert spans("Staff will strike on the 3rd.", "2026-02-20T10:00") == [
            (day(2026, 3, 3), None)
        ]

    def test_ordinal_with_its_own_month_or_a_noun_is_not_bare(self) -> None:
        assert spans("It is the 21st century, not the 20th anniversary.", "2026-02-02T10:00") == []
        assert spans("on the 14th and 15th of April", "2026-02-02T10:00") == [
            (day(2026, 4, 14), None),
            (day(2026, 4, 15), None),
        ]

    def test_month_carried_from_an_earlier_sentence(self) -> None:
        found = run(
            "Library staff to strike",
            "Unison members at the city's libraries will strike on Wednesday 6 May.\n"
            "They will also walk out on the 13th and 20th.",
            "2026-04-22T10:00",
        )
        assert [w[0] for w in walkouts(found)] == ["2026-05-06", "2026-05-13", "2026-05-20"]


class TestNumericDayFirst:
    def test_day_month_and_two_digit_year(self) -> None:
        assert spans("Strike on 4/3/27 from 7am.", "2027-01-10T10:00") == [
            (day(2027, 3, 4, 7), None)
        ]

    def test_bare_day_month_in_a_list_line(self) -> None:
        assert spans("12/5 – 08:00 to 16:00", "2026-05-01T10:00") == [
            (day(2026, 5, 12, 8), day(2026, 5, 12, 16))
        ]

    def test_fractions_and_round_the_clock_are_not_dates(self) -> None:
        assert spans("Cover is 24/7 and 2/3 of members voted.", "2026-05-01T10:00") == []

    def test_trust_notice_with_a_list_of_dates(self) -> None:
        found = run(
            "Industrial action in our pharmacy department",
            "GMB has told the trust that its members in our hospital pharmacies will take "
            "industrial action on the following dates:\n"
            "9/6 – 08:00 to 20:00\n"
            "11/6 – 08:00 to 20:00\n"
            "Please collect prescriptions before these dates where you can.",
            "2026-05-28T09:00",
        )
        assert walkouts(found) == [
            ("2026-06-09T08:00", "2026-06-09T20:00", "announced", ("GMB",)),
            ("2026-06-11T08:00", "2026-06-11T20:00", "announced", ("GMB",)),
        ]


# --- 2. Dates that are not strike days ------------------------------------------------------


def test_knock_on_day_after_a_continuous_stoppage_is_not_a_walkout() -> None:
    found = run(
        "Tram drivers to strike for four days",
        "Aslef members on the city tram network will walk out from 6am on 8 June to 6am on "
        "12 June.\n"
        "The operator warned that services on the morning of 12 June may also be affected "
        "throughout the strike period as trams return to depots.",
        "2026-05-20T10:00",
    )
    assert walkouts(found) == [("2026-06-08T06:00", "2026-06-12T06:00", "announced", ("Aslef",))]


def test_deadline_and_announcement_times_are_not_walkouts() -> None:
    found = run(
        "Bus drivers to strike on Thursday",
        "Unite members at the county's bus depots will strike on Thursday 15 October.\n"
        "The company will publish an emergency strike timetable by the preceding Monday.\n"
        "Unite confirmed the strike would go ahead shortly after 9pm on Tuesday.",
        "2026-10-09T10:00",
    )
    assert walkouts(found) == [("2026-10-15", None, "announced", ("Unite",))]


def test_a_rally_on_a_day_of_the_strike_is_not_a_new_walkout() -> None:
    found = run(
        "University staff begin five-day strike",
        "UCU members at the university will strike from Monday 2 November to Friday "
        "6 November.\n"
        "A march through the city centre will be held on the Thursday of the strike.",
        "2026-10-20T10:00",
    )
    assert walkouts(found) == [("2026-11-02", "2026-11-06", "announced", ("UCU",))]


# --- 3. Which union -------------------------------------------------------------------------


def test_a_named_union_beats_the_staff_groups_usual_union() -> None:
    found = run(
        "Nurses at Scottish health board to strike",
        "Nurses at a Scottish health board will strike on Tuesday 3 November over unpaid "
        "breaks.\n"
        "Unison, which represents most of the nurses involved, said talks had failed.",
        "2026-10-22T10:00",
    )
    assert walkouts(found) == [("2026-11-03", None, "announced", ("Unison",))]


def test_staff_default_still_applies_when_no_union_is_named() -> None:
    found = run(
        "Radiographers to strike",
        "Radiographers at the city hospital will strike on Tuesday 3 November over pay.",
        "2026-10-22T10:00",
    )
    assert walkouts(found) == [("2026-11-03", None, "announced", ("SoR",))]


def test_pickets_on_the_day_join_the_walkout_already_read() -> None:
    found = run(
        "Hospital porters on strike today",
        "GMB members working as porters at the infirmary are on strike today from 7am to 7pm.\n"
        "Unite said its members in catering had backed the dispute.\n"
        "Pickets will be outside the main entrance from early this morning.",
        "2026-03-10T06:30",
    )
    assert walkouts(found) == [("2026-03-10T07:00", "2026-03-10T19:00", "going_ahead", ("GMB",))]
