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
from feeds.detection.dates import Moment, extract_periods, nearest_year

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

    @settings(max_examples=60, deadline=None)
    @given(
        anchor=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
        gap=st.integers(1, 20),
    )
    def test_ordinal_after_an_explicit_date_is_in_its_month_or_the_next(
        self, anchor: date, gap: int
    ) -> None:
        nth = (anchor.day + gap - 1) % 28 + 1
        suffix = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd"}.get(nth, "th")
        sentence = (
            f"Staff will strike on {anchor.day} {MONTH_NAMES[anchor.month - 1]} {anchor.year}, "
            f"and again on the {nth}{suffix}."
        )
        got = [s.day for s, _ in spans(sentence, f"{anchor}T08:00")]
        assert got[0] == anchor
        second = got[1]
        assert second.day == nth and second >= anchor
        months_on = (second.year - anchor.year) * 12 + second.month - anchor.month
        assert months_on == (0 if nth >= anchor.day else 1)

    def test_range_of_ordinals_is_one_stretch(self) -> None:
        got = spans("Further action is planned for the 21st-23rd.", "2026-02-02T10:00")
        assert got == [(day(2026, 2, 21), day(2026, 2, 23))]

    def test_a_day_already_gone_this_month_is_next_month(self) -> None:
        assert spans("Staff will strike on the 3rd.", "2026-02-20T10:00") == [
            (day(2026, 3, 3), None)
        ]

    def test_past_tense_keeps_a_day_gone_by_in_its_month(self) -> None:
        got = spans(
            "Members walked out on the 5th and will strike again on the 28th.", "2026-10-20T10:00"
        )
        assert got == [(day(2026, 10, 5), None), (day(2026, 10, 28), None)]

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

    @settings(max_examples=60, deadline=None)
    @given(
        # "24/7" is round the clock, not 24 July (tested below)
        when=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)).filter(
            lambda d: (d.day, d.month) != (24, 7)
        ),
        pub=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
        pad=st.booleans(),
    )
    def test_day_first_numeric_dates(self, when: date, pub: date, pad: bool) -> None:
        d, m = (f"{when.day:02d}", f"{when.month:02d}") if pad else (when.day, when.month)
        with_year = spans(f"Staff will strike on {d}/{m}/{when.year}.", f"{pub}T12:00")
        assert with_year == [(Moment(when), None)]
        bare = spans(f"Staff will strike on {d}/{m}.", f"{pub}T12:00")
        nearest = nearest_year(when.month, when.day, pub)  # None: 29/2 with no leap year near
        assert bare == ([(Moment(nearest), None)] if nearest else [])

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


def test_joined_by_a_second_union_is_one_walkout_listing_both() -> None:
    found = run(
        "Sixth-form college staff to strike",
        "NEU members at the sixth-form college will strike on 10, 11 and 12 March.\n"
        "They will be joined on 11 March by members of the NAHT in the same dispute.",
        "2026-02-25T10:00",
    )
    assert walkouts(found) == [
        ("2026-03-10", None, "announced", ("NEU",)),
        ("2026-03-11", None, "announced", ("NEU", "NAHT")),
        ("2026-03-12", None, "announced", ("NEU",)),
    ]


# --- 4. One continuous stoppage -------------------------------------------------------------


def test_duration_over_a_weekend_date_list_is_one_stoppage() -> None:
    found = run(
        "Museum staff to strike",
        "PCS members at the national museums will stage a 48-hour strike next weekend, "
        "Saturday 14 and Sunday 15 March, over pay.",
        "2026-03-05T10:00",
    )
    assert walkouts(found) == [("2026-03-14", "2026-03-15", "announced", ("PCS",))]


# --- 5. Status ------------------------------------------------------------------------------


def test_moved_walkout_old_date_is_put_off_and_new_date_rescheduled() -> None:
    found = run(
        "Ferry strike pushed back a week",
        "RMT members on the island ferry had been due to strike on Friday 8 May over "
        "rosters.\n"
        "The walkout will now take place on Friday 15 May instead, the union said.",
        "2026-04-28T10:00",
    )
    assert walkouts(found) == [
        ("2026-05-08", None, "postponed", ("RMT",)),
        ("2026-05-15", None, "rescheduled", ("RMT",)),
    ]


def test_no_longer_taking_place_after_a_deal_is_called_off() -> None:
    found = run(
        "Refuse workers accept pay offer",
        "Unite members at the borough council have voted to accept a pay offer, ending their "
        "dispute.\n"
        "It means the strike that had been planned for Monday 11 May will no longer take place.",
        "2026-05-01T10:00",
    )
    assert found.is_strike_news
    assert walkouts(found) == [("2026-05-11", None, "cancelled", ("Unite",))]
    assert any(e.status == "deal_accepted" for e in found.events)


def test_a_demand_to_call_it_off_is_not_a_call_off() -> None:
    found = run(
        "Rail staff to strike on Saturday",
        "RMT members at the train operator will strike on Saturday 16 May.\n"
        'The transport secretary said: "We urge the union to call it off."',
        "2026-05-12T10:00",
    )
    assert walkouts(found) == [("2026-05-16", None, "announced", ("RMT",))]


# --- 6. Under way since a past date ---------------------------------------------------------


def test_indefinite_strike_under_way_since_a_past_date() -> None:
    found = run(
        "Bus strike goes into fourth week",
        "Drivers who are members of Unite have been on indefinite strike since 2 March at the "
        "town's bus depot, and no talks are planned.",
        "2026-03-24T10:00",
    )
    assert walkouts(found) == [("2026-03-02", None, "going_ahead", ("Unite",))]


def test_an_ended_all_out_strike_is_not_under_way() -> None:
    found = run(
        "Bus strike over",
        "Unite drivers began an all-out strike on 2 March, which ended last week with a deal.",
        "2026-03-24T10:00",
    )
    assert walkouts(found) == []


# --- 7. Walkout verbs -----------------------------------------------------------------------


def test_stop_work_and_down_tools_are_walkouts() -> None:
    found = run(
        "Ambulance control staff to stop work",
        "GMB call handlers at the ambulance service will stop work from 10am until 2pm on "
        "Wednesday 4 March.\n"
        "Unite members at the depot will down tools on Friday 6 March.",
        "2026-02-26T10:00",
    )
    assert walkouts(found) == [
        ("2026-03-04T10:00", "2026-03-04T14:00", "announced", ("GMB",)),
        ("2026-03-06", None, "announced", ("Unite",)),
    ]
    assert found.events[0].topic == "ambulance"


# --- 8. and 9. Not UK strike news -----------------------------------------------------------


def test_strike_abroad_with_an_unknown_union_is_not_news() -> None:
    found = run(
        "Melbourne tram drivers strike on Friday",
        "Tram drivers in Melbourne will stage a 24-hour stoppage on Friday 13 March, their union "
        "said, after the Fair Work Commission declined to intervene.",
        "2026-03-09T10:00",
    )
    assert not found.is_strike_news


def test_look_back_on_a_finished_strike_is_not_news() -> None:
    found = run(
        "Strike ends after five days",
        "The walkout by Unison porters ended at 7am on Monday.\n"
        "About 2,000 porters were on strike at its height, the trust said.\n"
        "The union has not announced any further strike dates.",
        "2026-03-10T10:00",
    )
    assert not found.is_strike_news


# --- 10. Times carried over -----------------------------------------------------------------


def test_same_hours_on_a_second_day() -> None:
    found = run(
        "Pharmacists to strike on two days",
        "PDA members at the hospital pharmacy will strike from 9am to 5pm on Tuesday 5 May, and "
        "again over the same hours on Thursday 7 May.",
        "2026-04-27T10:00",
    )
    assert walkouts(found) == [
        ("2026-05-05T09:00", "2026-05-05T17:00", "announced", ("PDA",)),
        ("2026-05-07T09:00", "2026-05-07T17:00", "announced", ("PDA",)),
    ]


def test_end_given_in_the_next_sentence() -> None:
    found = run(
        "Consultants to strike next week",
        "BMA consultants will walk out from 8am on Monday 11 May.\n"
        "The strike will last until midnight on Wednesday, the union said.",
        "2026-05-04T10:00",
    )
    assert walkouts(found) == [("2026-05-11T08:00", "2026-05-13T23:59", "announced", ("BMA",))]


# --- Topics, deals and undated call-offs ----------------------------------------------------


def test_ambulance_employer_gives_the_ambulance_topic() -> None:
    by_trust = run(
        "Industrial action by Unison members on 3 March",
        "Unison members will take industrial action on 3 March. We will prioritise patients "
        "with life-threatening conditions.",
        "2026-02-20T10:00",
        source="North East Ambulance Service NHS Foundation Trust",
        publisher_kind="nhs_trust",
    )
    assert [e.topic for e in by_trust.events] == ["ambulance"]
    by_acronym = run(
        "EEAST strike on 3 March extended",
        "The Unite strike at EEAST on 3 March has been extended by a day.",
        "2026-02-20T10:00",
    )
    assert {e.topic for e in by_acronym.events} == {"ambulance"}
    named = run(
        "Unite strike at ambulance trust",
        "Unite members at South Western Ambulance Service will strike on 3 March.",
        "2026-02-20T10:00",
    )
    assert [e.topic for e in named.events] == ["ambulance"]


def test_hospital_trust_topic_follows_the_staff_or_union() -> None:
    nurses = run(
        "Hospital strike",
        "RCN members at Riverside Hospitals NHS Foundation Trust will strike on 3 March.",
        "2026-02-20T10:00",
    )
    others = run(
        "Hospital strike",
        "GMB members at Riverside Hospitals NHS Foundation Trust will strike on 3 March.",
        "2026-02-20T10:00",
    )
    assert [e.topic for e in nurses.events] == ["nursing"]
    assert [e.topic for e in others.events] == ["other_nhs"]


def test_a_condition_on_the_dispute_ending_is_not_a_deal() -> None:
    found = run(
        "Lecturers to strike",
        "UCU members at the university will strike on 3 March.\n"
        "Marks will be withheld until the dispute is resolved, the union said.",
        "2026-02-20T10:00",
    )
    assert [e.status for e in found.events] == ["announced"]


def test_undated_suspension_is_reported_for_the_merge() -> None:
    found = run(
        "Porters' strike suspended",
        "Unison has suspended strike action by porters at Riverside Hospitals NHS Foundation "
        "Trust after the trust made an improved offer.",
        "2026-02-20T10:00",
    )
    assert found.is_strike_news
    off = [e for e in found.events if e.status == "suspended"]
    assert len(off) == 1 and off[0].start is None and off[0].unions == ["Unison"]
    assert "Riverside Hospitals NHS Foundation Trust" in off[0].employers
    assert not off[0].is_walkout


def test_a_possible_call_off_is_not_reported() -> None:
    found = run(
        "Strike could be called off",
        "The GMB strike at the council depots could be called off if talks succeed.",
        "2026-02-20T10:00",
    )
    assert not any(e.status in ("suspended", "cancelled", "postponed") for e in found.events)


def test_accepted_offer_without_the_word_strike_is_news() -> None:
    found = run(
        "Civil servants accept pay offer",
        "PCS members at the agency voted to accept an improved pay offer, ending the dispute.",
        "2026-04-01T10:00",
    )
    assert found.is_strike_news
    assert [(e.status, e.unions) for e in found.events] == [("deal_accepted", ["PCS"])]


def test_accepted_offer_with_no_union_or_dispute_is_not_news() -> None:
    found = run(
        "Club accepts offer for forward",
        "The club has accepted an offer from a rival for its forward, the manager said.",
        "2026-04-01T10:00",
    )
    assert not found.is_strike_news


class TestEveryWeekdayUntil:
    def test_until_a_date(self) -> None:
        # Published Tuesday 10 March 2026: the Tuesdays after it, up to Tuesday 31 March.
        got = spans("Guards will strike every Tuesday until 31 March.", "2026-03-10T10:00")
        assert [s.day for s, _ in got] == [date(2026, 3, d) for d in (17, 24, 31)]

    def test_until_easter(self) -> None:
        # Easter Sunday 2026 is 5 April.
        got = spans("Drivers will strike every Monday and Friday until Easter.", "2026-03-10T10:00")
        assert [s.day for s, _ in got] == [
            date(2026, 3, 13), date(2026, 3, 16), date(2026, 3, 20), date(2026, 3, 23),
            date(2026, 3, 27), date(2026, 3, 30), date(2026, 4, 3),
        ]  # fmt: skip

    def test_each_weekend_in_a_month(self) -> None:
        got = spans("Staff will strike each weekend in May.", "2026-04-20T10:00")
        assert [s.day.day for s, _ in got] == [2, 3, 9, 10, 16, 17, 23, 24, 30, 31]

    def test_until_further_notice_names_no_day(self) -> None:
        sentence = "They will strike every Tuesday until further notice."
        assert spans(sentence, "2026-03-10T10:00") == []


def test_rally_between_strike_days_is_not_a_walkout() -> None:
    found = run(
        "Lecturers to strike twice next month",
        "UCU members at the college will strike on 9 and 11 November.\n"
        "The union will hold a rally outside the town hall on 10 November.",
        "2026-10-20T10:00",
    )
    assert [w[0] for w in walkouts(found)] == ["2026-11-09", "2026-11-11"]


def test_numeric_dates_in_a_comma_list() -> None:
    found = run(
        "Strike dates",
        "Unison members at the council will take industrial action on 3/11, 10/11 and 17/11.",
        "2026-10-20T10:00",
    )
    assert [w[0] for w in walkouts(found)] == ["2026-11-03", "2026-11-10", "2026-11-17"]


def test_striking_since_a_weekday_is_the_one_gone_by() -> None:
    # Published Tuesday 20 October 2026: "since Monday" is 19 October.
    found = run(
        "Cleaners' strike goes on",
        "Cleaners who are members of the IWGB have been striking since Monday at the university.",
        "2026-10-20T10:00",
    )
    assert walkouts(found) == [("2026-10-19", None, "going_ahead", ("IWGB",))]


def test_end_by_weekday_in_the_next_sentence_follows_the_start() -> None:
    # Published Tuesday 20 October 2026: "Saturday" after a start on Thursday 29 October is 31st.
    found = run(
        "Porters to strike",
        "Porters at the infirmary, members of Unite, will walk out from 7am on Thursday "
        "29 October. The stoppage is due to last until 7am on Saturday.",
        "2026-10-20T10:00",
    )
    assert walkouts(found) == [("2026-10-29T07:00", "2026-10-31T07:00", "announced", ("Unite",))]


def test_downed_tools_on_a_past_weekday_is_under_way() -> None:
    found = run(
        "Depot strike",
        "Unite members downed tools on Monday and will stay out until Friday 23 October.",
        "2026-10-20T10:00",
    )
    assert walkouts(found) == [("2026-10-19", "2026-10-23", "going_ahead", ("Unite",))]


def test_stop_work_without_working_people_as_subject_is_not_a_strike() -> None:
    found = run(
        "Plant to pause production",
        "The factory will stop work for two weeks from 2 November because of falling orders, "
        "managers said.",
        "2026-10-20T10:00",
    )
    assert not found.is_strike_news


def test_more_call_off_wordings() -> None:
    for sentence in (
        "The Unite strike on 2 November won't happen after the council improved its offer.",
        "GMB's walkout planned for 2 November has been shelved.",
        "Strike action by Unison on 2 November has been stood down after talks.",
        "The RMT strike on 2 November will no longer go ahead.",
    ):
        found = run("Strike news", sentence, "2026-10-20T10:00")
        assert [(w[0], w[2]) for w in walkouts(found)] == [("2026-11-02", "cancelled")], sentence


def test_cleaners_topic_follows_their_workplace() -> None:
    campus = run(
        "Cleaners strike",
        "Cleaners at the university, members of the IWGB, will strike on 3 November.",
        "2026-10-20T10:00",
    )
    ward = run(
        "Cleaners strike",
        "Cleaners at the city hospital, members of Unison, will strike on 3 November.",
        "2026-10-20T10:00",
    )
    assert [e.topic for e in campus.events] == ["education"]
    assert [e.topic for e in ward.events] == ["other_nhs"]


def test_another_trades_union_does_not_take_in_a_staff_group() -> None:
    found = run(
        "Health strikes next month",
        "RCN nurses at the trust will strike on 3 November.\n"
        "Physiotherapists will also strike on 3 November.",
        "2026-10-20T10:00",
    )
    assert walkouts(found) == [
        ("2026-11-03", None, "announced", ("RCN",)),
        ("2026-11-03", None, "announced", ("CSP",)),
    ]


def test_dated_list_lines_with_full_numeric_dates() -> None:
    found = run(
        "Pathology strike",
        "Members of Unison in pathology will strike on these dates:\n"
        "03/03/2026 07:00-19:00\n"
        "05/03/2026 07:00-19:00",
        "2026-02-20T10:00",
    )
    assert walkouts(found) == [
        ("2026-03-03T07:00", "2026-03-03T19:00", "announced", ("Unison",)),
        ("2026-03-05T07:00", "2026-03-05T19:00", "announced", ("Unison",)),
    ]
    assert {e.topic for e in found.events} == {"other_nhs"}


def test_the_day_after_the_strike_is_not_a_strike_day() -> None:
    found = run(
        "Rail strike",
        "RMT members will strike on Thursday 5 March.\n"
        "Disruption is expected on the day after the strike, Friday 6 March, as trains return "
        "to depots.",
        "2026-02-20T10:00",
    )
    assert walkouts(found) == [("2026-03-05", None, "announced", ("RMT",))]


def test_when_a_statement_was_issued_is_not_a_walkout() -> None:
    found = run(
        "Strike to go ahead",
        "In a statement issued at 6pm on Sunday, Unite said the strike at the depot on Thursday "
        "5 March would go ahead.",
        "2026-03-03T10:00",
    )
    assert [w[0] for w in walkouts(found)] == ["2026-03-05"]


def test_strike_that_began_and_is_still_going_on() -> None:
    going = run(
        "Depot strike goes on",
        "The Unite strike at the depot, now in its third week, began on 2 March.",
        "2026-03-20T10:00",
    )
    assert walkouts(going) == [("2026-03-02", None, "going_ahead", ("Unite",))]
    past = run(
        "Depot strike",
        "The Unite strike at the depot began on 2 March. Unite members will strike again on "
        "30 March.",
        "2026-03-20T10:00",
    )
    assert walkouts(past) == [("2026-03-30", None, "announced", ("Unite",))]


def test_strike_priced_in_dollars_with_no_uk_place_is_not_uk_news() -> None:
    found = run(
        "Port workers walk out",
        "Dock workers at the port will strike on Monday 9 March, their union said, after "
        "rejecting a pay rise worth 2,000 dollars a year.",
        "2026-03-03T10:00",
    )
    assert not found.is_strike_news


def test_what_the_strike_disrupted_being_cancelled_is_not_a_call_off() -> None:
    found = run(
        "Strike hits clinics",
        "Thousands of appointments were cancelled because of the Unison strike at the trust, "
        "which is continuing.",
        "2026-03-20T10:00",
    )
    assert not any(e.status in ("cancelled", "suspended", "postponed") for e in found.events)


def test_undated_call_off_wordings() -> None:
    for sentence, union in (
        ("Unite has called off next week's walkout by bus drivers.", "Unite"),
        ("The GMB strike at the depot has been called off.", "GMB"),
    ):
        found = run("Strike update", sentence, "2026-03-20T10:00")
        assert [(e.status, e.unions, e.start) for e in found.events] == [
            ("cancelled", [union], None)
        ], sentence


class TestTwoClocksBeforeTheDay:
    def test_begin_and_end_clocks_belong_to_the_day_after_them(self) -> None:
        got = spans("The walkout will begin at 6am and end at 6pm on Friday.", "2026-03-02T10:00")
        assert got == [(day(2026, 3, 6, 6), day(2026, 3, 6, 18))]

    def test_an_overnight_pair_ends_on_the_day_named(self) -> None:
        got = spans(
            "It starts at 10pm and finishes at 6am on Saturday 7 March.", "2026-03-02T10:00"
        )
        assert got == [(day(2026, 3, 6, 22), day(2026, 3, 7, 6))]


class TestWeekdaysSharingAWeek:
    # Published Monday 2 March 2026.
    def test_weekday_range_next_week(self) -> None:
        got = spans("Staff will strike from Monday to Wednesday next week.", "2026-03-02T10:00")
        assert got == [(day(2026, 3, 9), day(2026, 3, 11))]

    def test_weekday_list_of_next_week(self) -> None:
        got = spans("Staff will strike on Monday and Tuesday of next week.", "2026-03-02T10:00")
        assert got == [(day(2026, 3, 9), None), (day(2026, 3, 10), None)]


def test_dotted_day_first_dates_with_a_year() -> None:
    assert spans("Staff will strike on 10.03.26.", "2026-03-02T10:00") == [(day(2026, 3, 10), None)]
    # a clock time with a dot is not a date
    assert spans("Staff will strike at 10.30am on Friday 6 March.", "2026-03-02T10:00") == [
        (day(2026, 3, 6, 10, 30), None)
    ]


def test_joined_by_in_the_next_sentence_adds_the_union() -> None:
    found = run(
        "Ambulance strike goes ahead in the North East",
        "GMB paramedics at North East Ambulance Service will strike on 28 January, from 6am to "
        "6pm.\n"
        "They will be joined by Unite members at the same trust.",
        "2026-01-21T09:00",
    )
    assert walkouts(found) == [
        ("2026-01-28T06:00", "2026-01-28T18:00", "announced", ("GMB", "Unite"))
    ]


def test_a_week_later_counts_from_the_day_before_it() -> None:
    week = spans("Staff will strike on Monday 2 March and again a week later.", "2026-02-20T10:00")
    assert week == [(day(2026, 3, 2), None), (day(2026, 3, 9), None)]
    fortnight = spans("Staff strike on Monday 2 March, then a fortnight later.", "2026-02-20T10:00")
    assert fortnight[1] == (day(2026, 3, 16), None)


def test_another_groups_or_an_earlier_deal_is_not_this_disputes_end() -> None:
    for other in (
        "Nurses in Scotland accepted a pay offer last year.",
        "RCN members in Wales voted to accept the offer.",
    ):
        text = f"RCN nurses in England will strike on 3 March.\n{other}"
        found = run("Nurses to strike", text, "2026-02-20T10:00")
        assert [e.status for e in found.events] == ["announced"], other
    settled = run(
        "Deal accepted",
        "Unite members voted to accept the offer, so the strike on 3 March has been called off.",
        "2026-02-20T10:00",
    )
    assert [e.status for e in settled.events] == ["cancelled", "deal_accepted"]


def test_services_affected_on_a_named_day_is_the_strike_day() -> None:
    found = run(
        "Industrial action",
        "Services on Tuesday 3 March will be affected by industrial action by Unison members.",
        "2026-02-20T10:00",
    )
    assert walkouts(found) == [("2026-03-03", None, "announced", ("Unison",))]


def test_a_strike_that_begins_shortly_after_midnight_starts_then() -> None:
    found = run(
        "Strike",
        "The Unite strike at the depot will begin shortly after midnight on Monday 2 March.",
        "2026-02-20T10:00",
    )
    assert walkouts(found) == [("2026-03-02T00:00", None, "announced", ("Unite",))]


def test_was_due_to_start_and_going_ahead_is_not_put_off() -> None:
    found = run(
        "Strike goes ahead",
        "The RMT strike, which was due to start on 3 March, will go ahead.\n"
        "Passengers should take buses instead.",
        "2026-02-20T10:00",
    )
    assert walkouts(found) == [("2026-03-03", None, "going_ahead", ("RMT",))]


def test_notice_with_date_and_time_lines() -> None:
    found = run(
        "Industrial action notice",
        "Unite has given notice of industrial action by our estates staff.\n"
        "Date: Tuesday 3 March\n"
        "Time: 7am to 7pm\n"
        "Please allow extra time for repairs.",
        "2026-02-20T10:00",
    )
    assert walkouts(found) == [("2026-03-03T07:00", "2026-03-03T19:00", "announced", ("Unite",))]


def test_a_date_only_day_inside_the_stoppage_is_that_stoppage() -> None:
    found = run(
        "Four-day tram strike",
        "Aslef members on the tram network will walk out from 6am on 8 June to 6am on 12 June.\n"
        "Passengers planning to travel during the strike on 10 June should check before they "
        "set out.",
        "2026-05-20T10:00",
    )
    assert walkouts(found) == [("2026-06-08T06:00", "2026-06-12T06:00", "announced", ("Aslef",))]


def test_place_abroad_outside_the_strike_sentences_with_nothing_british() -> None:
    found = run(
        "Rail workers to walk out as pay talks stall",
        "Train crews will stage a 24-hour stoppage on Thursday 12 March, their union said.\n"
        "The New South Wales government said the claim was unaffordable.",
        "2026-03-05T10:00",
    )
    assert not found.is_strike_news


def test_a_finished_strike_with_more_only_possible_is_not_news() -> None:
    found = run(
        "Bus strike ends",
        "The three-day strike by Unite bus drivers ended on Tuesday.\n"
        "Unite said further strikes had not been ruled out.",
        "2026-03-05T10:00",
    )
    assert not found.is_strike_news


def test_moved_walkout_wordings() -> None:
    for sentence in (
        "The Unite strike, originally planned for 3 March, will now take place on 10 March.",
        "The Unite strike has been moved from 3 March to 10 March.",
        "Unite has pushed back its strike from 3 March to 10 March.",
        "Unite's strike on 3 March has been postponed until 10 March.",
    ):
        found = run("Strike moved", sentence, "2026-02-20T10:00")
        assert walkouts(found) == [
            ("2026-03-03", None, "postponed", ("Unite",)),
            ("2026-03-10", None, "rescheduled", ("Unite",)),
        ], sentence


def test_from_to_without_a_move_is_still_one_stretch() -> None:
    found = run(
        "Week of strikes",
        "Unite members will strike from 3 March to 10 March.",
        "2026-02-20T10:00",
    )
    assert walkouts(found) == [("2026-03-03", "2026-03-10", "announced", ("Unite",))]


def test_strike_price_is_not_a_strike() -> None:
    found = run(
        "Markets",
        "The strike price of the options expiring on 31 December was set by the exchange; "
        "workers at the bank were told.",
        "2026-12-20T10:00",
    )
    assert not found.is_strike_news


# --- Ends said apart from starts, walkouts already under way ---------------------------------


def test_end_stated_before_the_start_in_another_sentence() -> None:
    found = run(
        "Court shortens nurses' walkout",
        "The Royal College of Nursing's strike at the trust will finish at midnight on Sunday "
        "rather than running on into Monday, after a court challenge. Nurses will walk out from "
        "7pm on Friday as originally planned.",
        "2025-06-04T10:00",
    )
    assert walkouts(found) == [("2025-06-06T19:00", "2025-06-08T23:59", "announced", ("RCN",))]


def test_remain_on_strike_until_in_the_next_sentence_ends_the_walkout() -> None:
    found = run(
        "Refuse crews begin 10-day strike",
        "Unite refuse collectors in Leeds walked out at 6am today at the start of a 10-day strike "
        "over pay. The crews will stay on strike until 6am on 16 June unless the council makes a "
        "better offer.",
        "2025-06-06T09:00",
    )
    assert walkouts(found) == [("2025-06-06T06:00", "2025-06-16T06:00", "going_ahead", ("Unite",))]


def test_an_end_of_another_unions_walkout_is_not_borrowed() -> None:
    found = run(
        "Two strikes this week",
        "Unison porters at the hospital will strike from 6am on Tuesday. Separately, RMT members "
        "will remain on strike until 5am on Thursday.",
        "2025-06-02T09:00",
    )
    assert ("2025-06-03T06:00", None, "announced", ("Unison",)) in walkouts(found)


def test_walkout_under_way_since_before_publication_keeps_its_past_start() -> None:
    found = run(
        "Who is on strike this week",
        "Council staff: About 5,000 Unison members at the county council will walk out tomorrow."
        "\n\nTeachers: Members of the NASUWT in Wales will strike on Thursday and Friday.\n\n"
        "Resident doctors: Doctors in England are already part of the way through a 96-hour "
        "strike, which started at 7am on Monday and runs until 7am on Friday.",
        "2025-06-04T17:00",
    )
    got = walkouts(found)
    assert ("2025-06-02T07:00", "2025-06-06T07:00", "going_ahead", ("BMA",)) in got
    assert ("2025-06-05", None, "announced", ("NASUWT",)) in got
    assert ("2025-06-06", None, "announced", ("NASUWT",)) in got


# --- Dates that are not the strikers' days -----------------------------------------------------


def test_what_ministers_could_do_tomorrow_is_not_a_walkout() -> None:
    for quote in (
        'Fran Heathcote said: "Ministers can halt these strikes tomorrow by making a fair offer."',
        "The union said the government could stop the walkouts today if it reopened talks.",
    ):
        found = run(
            "Passport staff to strike",
            f"PCS members at the passport office will strike on 20 June. {quote}",
            "2025-06-09T10:00",
        )
        assert walkouts(found) == [("2025-06-20", None, "announced", ("PCS",))], quote


def test_a_holiday_named_as_a_staffing_level_is_not_a_date() -> None:
    found = run(
        "Consultants set January strike",
        "BMA consultants in England will strike on 9 and 10 January, with hospitals providing "
        "only 'Boxing Day' cover during the walkout.",
        "2025-12-20T10:00",
    )
    assert [w[0] for w in walkouts(found)] == ["2026-01-09", "2026-01-10"]


def test_dates_in_brackets_decide_a_next_weekday_list() -> None:
    found = run(
        "Teachers to strike",
        "NEU members at Hillview Academy will walk out next Monday and Tuesday (16 and 17 June) "
        "over workload.",
        "2025-06-10T10:00",
    )
    assert [w[0] for w in walkouts(found)] == ["2025-06-16", "2025-06-17"]


def test_a_headline_today_gives_no_walkout_to_a_union_with_its_own_days() -> None:
    found = run(
        "Who is on strike today and tomorrow?",
        "Resident doctors in England are on strike until 7am on Thursday. NEU teachers in the "
        "north will strike on Wednesday and Thursday.",
        "2025-06-03T17:00",
    )
    neu = [w[0] for w in walkouts(found) if w[3] == ("NEU",)]
    assert neu == ["2025-06-04", "2025-06-05"]


def test_rolling_rounds_without_a_strike_verb_are_the_unions_walkouts() -> None:
    found = run(
        "Rolling college strikes begin",
        "Lecturers at colleges in Fife walk out today at the start of rolling strikes across "
        "Scotland.\n\nThe EIS-FELA is picking two colleges a day. Tomorrow it is the turn of "
        "Dundee and Angus College, with lecturers at Forth Valley and West Lothian out on "
        "Thursday. More dates will follow.",
        "2025-06-10T07:00",
    )
    assert [(w[0], w[3]) for w in walkouts(found)] == [
        ("2025-06-10", ("EIS",)),
        ("2025-06-11", ("EIS",)),
        ("2025-06-12", ("EIS",)),
    ]


def test_a_turn_of_phrase_before_any_strike_news_makes_no_walkout() -> None:
    found = run(
        "Council budget",
        "Tomorrow it is the turn of the finance committee, with councillors out on Thursday "
        "visiting schools.",
        "2025-06-10T07:00",
    )
    assert walkouts(found) == []


def test_a_union_also_out_that_day_does_not_take_over_the_walkout() -> None:
    found = run(
        "University strike moved",
        "UCU members at the University of Kent had planned to strike on 2 and 3 June. The union "
        "said the strike would now take place on Monday 16 and Tuesday 17 June instead, when "
        "members of Unite at the university are also expected to be out.",
        "2025-05-28T10:00",
    )
    assert ("2025-06-16", None, "rescheduled", ("UCU",)) in walkouts(found)
    assert ("2025-06-17", None, "rescheduled", ("UCU",)) in walkouts(found)


def test_a_union_named_in_the_dated_clause_is_still_its_own() -> None:
    found = run(
        "Porters to strike",
        "Unite porters at the trust will strike on 16 June, while Unison members are also "
        "balloting.",
        "2025-06-02T10:00",
    )
    assert [(w[0], w[3]) for w in walkouts(found)] == [("2025-06-16", ("Unite",))]


def test_a_day_a_court_struck_off_is_not_a_walkout() -> None:
    found = run(
        "Court cuts ambulance strike to one day",
        "The GMB strike at the ambulance trust will go ahead on 12 June. A judge ruled that the "
        "second day, 13 June, could not lawfully go ahead.",
        "2025-06-05T10:00",
    )
    assert [w[0] for w in walkouts(found)] == ["2025-06-12"]


def test_return_to_work_paragraphs_later_ends_the_walkout() -> None:
    found = run(
        "Bus drivers to strike",
        "Unite bus drivers will walk out at 4am on Friday.\n\nThe company said services would be "
        "cut to a minimum.\n\nThe union said the drivers would return to work at 4am on Monday.",
        "2025-06-04T10:00",
    )
    assert walkouts(found) == [("2025-06-06T04:00", "2025-06-09T04:00", "announced", ("Unite",))]


def test_a_named_unions_action_continuing_until_ends_only_its_walkout() -> None:
    found = run(
        "Ambulance strike",
        "GMB ambulance workers will strike from 7am on 10 June. Unison members will strike on "
        "12 June. The GMB action will continue until 7am on 11 June.",
        "2025-06-04T10:00",
    )
    assert walkouts(found) == [
        ("2025-06-10T07:00", "2025-06-11T07:00", "announced", ("GMB",)),
        ("2025-06-12", None, "announced", ("Unison",)),
    ]


def test_talks_continuing_until_a_date_end_no_walkout() -> None:
    found = run(
        "Bus drivers to strike",
        "Unite bus drivers will walk out on 10 June. Talks with the company will continue until "
        "12 June.",
        "2025-06-04T10:00",
    )
    assert walkouts(found) == [("2025-06-10", None, "announced", ("Unite",))]


def test_a_pay_award_with_unions_holding_off_on_strikes_is_not_strike_news() -> None:
    found = run(
        "Firefighters to get 4% pay rise as unions hold off on strike threats",
        "Firefighters in England will get a 4% pay rise from July, the government announced "
        "today.\n\nThe FBU said the award was a step forward but still below inflation. It made "
        "no mention of a ballot.\n\nUnion leaders had warned in the spring that they could "
        "respond with industrial action if the award fell short.",
        "2025-06-04T10:00",
    )
    assert not found.is_strike_news
    assert found.events == []


def test_unions_on_strike_after_holding_off_is_still_news() -> None:
    found = run(
        "Firefighters on strike after talks fail",
        "FBU members in Kent are on strike today after the union held off for a month to allow "
        "talks.",
        "2025-06-04T10:00",
    )
    assert found.is_strike_news
    assert [(w[0], w[3]) for w in walkouts(found)] == [("2025-06-04", ("FBU",))]


def test_it_is_due_to_end_in_the_next_sentence() -> None:
    found = run(
        "Physios strike",
        "CSP physiotherapists at the trust will walk out at 7am on Wednesday. It is due to end at "
        "7am on Saturday.",
        "2025-06-02T10:00",
    )
    assert walkouts(found) == [("2025-06-04T07:00", "2025-06-07T07:00", "announced", ("CSP",))]


def test_due_back_at_work_is_an_end_not_a_new_walkout() -> None:
    found = run(
        "Porters strike",
        "Unison porters began a week-long strike at 6am on Monday. They are due back at work at "
        "6am next Monday.",
        "2025-06-03T10:00",
    )
    assert walkouts(found) == [("2025-06-02T06:00", "2025-06-09T06:00", "going_ahead", ("Unison",))]


def test_a_duration_before_a_past_start_gives_the_live_walkouts_end() -> None:
    found = run(
        "Doctors' strike continues",
        "Resident doctors in England are midway through a five-day walkout that began at 7am on "
        "Friday.",
        "2025-06-03T10:00",
    )
    assert walkouts(found) == [("2025-05-30T07:00", "2025-06-04T07:00", "going_ahead", ("BMA",))]


def test_an_end_beside_its_own_start_is_not_lent_to_another_walkout() -> None:
    found = run(
        "Strikes this week",
        "Members of the NASUWT will strike on Thursday.\n\nDoctors: Resident doctors are part of "
        "the way through a 72-hour strike, which started at 7am on Monday and runs until 7am on "
        "Thursday.",
        "2025-06-03T17:00",
    )
    got = walkouts(found)
    assert ("2025-06-05", None, "announced", ("NASUWT",)) in got
    assert ("2025-06-02T07:00", "2025-06-05T07:00", "going_ahead", ("BMA",)) in got


def test_a_past_start_under_way_is_kept_when_a_later_sentence_ends_it() -> None:
    found = run(
        "Paramedics strike",
        "GMB paramedics are midway through a strike that began at 7am on Friday. It will end at "
        "7am on Wednesday.",
        "2025-06-03T10:00",
    )
    assert walkouts(found) == [("2025-05-30T07:00", "2025-06-04T07:00", "going_ahead", ("GMB",))]


def test_a_past_start_with_no_end_after_publication_is_dropped() -> None:
    found = run(
        "Paramedics strike",
        "GMB paramedics held a strike that began at 7am on Friday. The next walkout is on 20 June.",
        "2025-06-03T10:00",
    )
    assert walkouts(found) == [("2025-06-20", None, "announced", ("GMB",))]


def test_a_day_ruled_unlawful_is_dropped_and_the_lawful_day_kept() -> None:
    found = run(
        "Court rules one strike day unlawful",
        "The High Court ruled the RCN strike on 12 June unlawful, but the strike on 11 June will "
        "go ahead.",
        "2025-06-03T10:00",
    )
    assert [(w[0], w[3]) for w in walkouts(found)] == [("2025-06-11", ("RCN",))]


def test_power_to_end_the_strikes_today_is_no_walkout_today() -> None:
    found = run(
        "Council strike",
        "Unite members will strike on 10 June. The union said ministers had it in their power to "
        "end the strikes today.",
        "2025-06-03T10:00",
    )
    assert walkouts(found) == [("2025-06-10", None, "announced", ("Unite",))]


def test_a_later_end_goes_to_the_walkout_starting_closest_before_it() -> None:
    found = run(
        "Nurses strike",
        "RCN nurses will strike on 10 June and 20 June. The second strike will end at 8pm on "
        "21 June.",
        "2025-06-03T10:00",
    )
    assert walkouts(found) == [
        ("2025-06-10", None, "announced", ("RCN",)),
        ("2025-06-20", "2025-06-21T20:00", "announced", ("RCN",)),
    ]


def test_members_who_were_out_on_a_day_doing_something_else_are_no_walkout() -> None:
    found = run(
        "Bus strike",
        "Unite bus drivers will strike on 20 June.\n\nThe company has cut routes.\n\nMany of the "
        "members were out on Thursday collecting signatures for a petition.",
        "2025-06-03T08:00",
    )
    assert walkouts(found) == [("2025-06-20", None, "announced", ("Unite",))]


def test_could_end_up_striking_tomorrow_is_still_tomorrows_walkout() -> None:
    found = run(
        "Porters may strike tomorrow",
        "Unison porters at the hospital could end up striking tomorrow after talks failed.",
        "2025-06-03T08:00",
    )
    assert [(w[0], w[3]) for w in walkouts(found)] == [("2025-06-04", ("Unison",))]


# --- Stated ends: an "until" beats a reckoned length, and may come a sentence later --------------


def test_an_adjective_between_the_length_and_the_noun_still_gives_the_end() -> None:
    assert spans(
        "Porters will stage a 72-hour full walkout from 6am on Tuesday 9 April.", "2024-04-02T09:00"
    ) == [(day(2024, 4, 9, 6), day(2024, 4, 12, 6))]
    assert spans(
        "Cleaners begin a 48-hour all-out strike at 10pm on 3 May.", "2024-04-28T09:00"
    ) == [(day(2024, 5, 3, 22), day(2024, 5, 5, 22))]


def test_an_until_in_the_next_sentence_replaces_the_end_reckoned_from_the_length() -> None:
    found = run(
        "Refuse strike",
        "Refuse collectors in Oakford started a four-day strike at 7am today, GMB said. The "
        "collectors will stay on strike until midnight on Friday.",
        "2025-03-11T12:00",
    )
    assert walkouts(found) == [("2025-03-11T07:00", "2025-03-14T23:59", "going_ahead", ("GMB",))]


def test_a_will_strike_until_sentence_ends_the_walkout_begun_before_it() -> None:
    found = run(
        "Porters walk out",
        "Hospital porters in Unison will walk out from 9pm tonight. They will strike until 6am "
        "on Wednesday 12 March.",
        "2025-03-10T15:00",
    )
    assert walkouts(found) == [("2025-03-10T21:00", "2025-03-12T06:00", "going_ahead", ("Unison",))]


# --- Ballot dates ------------------------------------------------------------------------------


def test_a_ballot_on_strike_action_from_a_date_is_no_walkout_that_day() -> None:
    found = run(
        "Midwives to be balloted",
        "The RCM will ballot its midwives in Wales on strike action from Tuesday 4 June.",
        "2024-05-28T09:00",
    )
    assert walkouts(found) == []
    assert [e.status for e in found.events] == ["ballot"]


def test_a_ballot_that_opens_on_a_day_is_no_walkout_that_day() -> None:
    found = run(
        "Bin strike off for now",
        "GMB has called off next week's bin strike and will let members vote on the new offer in "
        "a ballot, which closes on Thursday.",
        "2024-05-28T09:00",
    )
    assert walkouts(found) == []


def test_members_who_backed_action_in_a_ballot_still_walk_out_on_the_date() -> None:
    found = run(
        "Midwives strike",
        "Midwives who backed strike action in a ballot will walk out on Tuesday 4 June, the RCM "
        "said.",
        "2024-05-28T09:00",
    )
    assert walkouts(found) == [("2024-06-04", None, "announced", ("RCM",))]


# --- Several unions in one sentence ------------------------------------------------------------


def test_a_list_of_unions_all_walking_out_on_a_day_gives_each_union_that_day() -> None:
    found = run(
        "Walkouts across the public sector",
        "Teachers in the EIS, about 3,000 civil servants in the PCS union, and lecturers in the "
        "UCU are all walking out on Thursday 9 May.",
        "2024-05-02T09:00",
    )
    assert walkouts(found) == [("2024-05-09", None, "announced", ("EIS", "PCS", "UCU"))]


def test_a_both_list_after_another_unions_date_keeps_the_first_union_apart() -> None:
    found = run(
        "Hospital strikes",
        "Nurses in the RCN strike on Monday 13 May, and teachers in the NEU and civil servants in "
        "the PCS will both walk out on Tuesday 14 May.",
        "2024-05-02T09:00",
    )
    assert walkouts(found) == [
        ("2024-05-13", None, "announced", ("RCN",)),
        ("2024-05-14", None, "announced", ("NEU", "PCS")),
    ]


def test_an_undated_all_walking_out_list_says_who_is_out_on_the_day_before_it() -> None:
    found = run(
        "Strike day: teachers and lecturers walk out",
        "Thousands of staff are on strike today across the country.\n\nTeachers in the EIS, "
        "civil servants in the PCS union and lecturers in the UCU are all walking out.",
        "2024-05-09T07:00",
    )
    assert walkouts(found) == [("2024-05-09", None, "going_ahead", ("EIS", "PCS", "UCU"))]
