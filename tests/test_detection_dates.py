"""The date grammar: every phrase family, resolved against the publication time."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from config.db_types import UK_TZ
from feeds.detection.dates import Moment, extract, extract_periods, nearest_year, resolve_weekday

MONTH_NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UK_TZ)


def spans(sentence: str, published: str) -> list[tuple[Moment, Moment | None]]:
    return [(p.start, p.end) for p in extract_periods(sentence, at(published))]


def day(y: int, m: int, d: int, hh: int | None = None, mm: int = 0) -> Moment:
    return Moment(date(y, m, d), time(hh, mm) if hh is not None else None)


# Thursday 13 July 2023, 08:30
THU = "2023-07-13T08:30"
# Monday 9 January 2023, 19:39
MON = "2023-01-09T19:39"


class TestExplicitDates:
    def test_day_month_year(self) -> None:
        assert spans("The strike is on 11 January 2023.", MON) == [(day(2023, 1, 11), None)]

    def test_month_day_list_is_separate_days(self) -> None:
        assert spans("a second set of strikes on January 18 and 19.", MON) == [
            (day(2023, 1, 18), None),
            (day(2023, 1, 19), None),
        ]

    def test_day_list_then_month(self) -> None:
        assert spans("Walkouts on 6 and 20 February.", MON) == [
            (day(2023, 2, 6), None),
            (day(2023, 2, 20), None),
        ]

    def test_weekday_comma_month_day(self) -> None:
        assert spans("Consultants strike on Thursday, July 20.", THU) == [(day(2023, 7, 20), None)]

    def test_ordinal_of_month(self) -> None:
        assert spans("from the 21st of December", "2022-12-06T10:00") == [(day(2022, 12, 21), None)]

    def test_numeric_dates_are_day_first(self) -> None:
        assert spans("Strike on 4/3/2026.", "2026-02-01T09:00") == [(day(2026, 3, 4), None)]

    def test_no_year_takes_the_nearest_occurrence_across_new_year(self) -> None:
        assert spans("Nurses will strike on 18 January.", "2022-12-23T11:30") == [
            (day(2023, 1, 18), None)
        ]

    def test_past_tense_keeps_the_date_in_the_past(self) -> None:
        # Published 15 December 2023: "strikes took place on 15 December" is last year's.
        assert spans("Strikes took place on 15 and 20 December.", "2023-12-15T07:00") == [
            (day(2022, 12, 15), None),
            (day(2022, 12, 20), None),
        ]

    def test_verb_may_is_not_a_month(self) -> None:
        assert spans("Talks may 5 times fail.", MON) == []

    def test_cross_month_list(self) -> None:
        assert spans("Northern Ireland: January 26 and February 16, 17", MON) == [
            (day(2023, 1, 26), None),
            (day(2023, 2, 16), None),
            (day(2023, 2, 17), None),
        ]

    def test_day_range_is_one_stretch(self) -> None:
        assert spans("a walkout from 6 to 10 February", MON) == [
            (day(2023, 2, 6), day(2023, 2, 10))
        ]


class TestRelativeDays:
    def test_today_and_tomorrow(self) -> None:
        assert spans("Staff walk out today and tomorrow.", MON) == [
            (day(2023, 1, 9), None),
            (day(2023, 1, 10), None),
        ]

    def test_weekday_is_the_next_one(self) -> None:
        assert spans("the walkout on Wednesday", MON) == [(day(2023, 1, 11), None)]

    def test_weekday_list_runs_forward(self) -> None:
        # Published on a Tuesday: "Monday and Tuesday" are next week's, not today.
        assert spans("Nurses are out on Monday and Tuesday.", "2023-01-31T12:40") == [
            (day(2023, 2, 6), None),
            (day(2023, 2, 7), None),
        ]

    def test_past_verb_takes_the_previous_weekday(self) -> None:
        periods = spans("The strike began at 7am on Tuesday.", "2023-04-14T14:10")
        assert periods == [(day(2023, 4, 11, 7), None)]

    def test_next_week(self) -> None:
        assert spans("walk out on Monday next week", MON) == [(day(2023, 1, 16), None)]

    def test_today_with_weekday_in_brackets_is_one_day(self) -> None:
        assert spans("from 7am today (Thursday)", THU) == [(day(2023, 7, 13, 7), None)]

    def test_weekday_then_date_in_brackets(self) -> None:
        # A whole-day 24-hour walkout starts and ends on the named day.
        assert spans("a 24-hour walkout on Thursday (19 January)", "2023-01-18T13:45") == [
            (day(2023, 1, 19), day(2023, 1, 19))
        ]

    def test_resolve_weekday_modifiers(self) -> None:
        wed = date(2023, 1, 11)
        assert resolve_weekday(0, wed, "last") == date(2023, 1, 9)
        assert resolve_weekday(2, wed, "next") == date(2023, 1, 18)
        assert resolve_weekday(2, wed) == wed
        assert resolve_weekday(4, wed, past=True) == date(2023, 1, 6)


class TestTimesAndRanges:
    def test_clock_range_in_brackets(self) -> None:
        assert spans("today Wednesday 11 January 2023 (00:01 to 23:59)", "2023-01-11T08:05") == [
            (day(2023, 1, 11, 0, 1), day(2023, 1, 11, 23, 59))
        ]

    def test_from_today_until_a_dated_end(self) -> None:
        text = "starting from 7am today (Thursday) until 7am on Tuesday, July 18."
        assert spans(text, THU) == [(day(2023, 7, 13, 7), day(2023, 7, 18, 7))]

    def test_began_at_midday_will_end_at(self) -> None:
        text = "The action began at midday on Tuesday and will end at 22:00 BST."
        assert spans(text, "2023-05-09T14:05") == [(day(2023, 5, 9, 12), day(2023, 5, 9, 22))]

    def test_for_48_hours_from(self) -> None:
        text = "Consultants will strike for 48 hours from 7am on Thursday, July 20."
        assert spans(text, THU) == [(day(2023, 7, 20, 7), day(2023, 7, 22, 7))]

    def test_hyphenated_duration_before_the_start(self) -> None:
        text = "a 48-hour strike from 7am on Thursday"
        assert spans(text, MON) == [(day(2023, 1, 12, 7), day(2023, 1, 14, 7))]

    def test_five_day_walkout_without_hours_ends_on_the_fifth_day(self) -> None:
        assert spans("a five-day walkout starting on Monday", MON) == [
            (day(2023, 1, 9), day(2023, 1, 13))
        ]

    def test_midday_to_midnight(self) -> None:
        assert spans("strike from midday to midnight on Monday 6 March", "2023-03-04T09:30") == [
            (day(2023, 3, 6, 12), day(2023, 3, 6, 23, 59))
        ]

    def test_midnight_start_is_the_beginning_of_the_day(self) -> None:
        text = "from midnight on Tuesday 7 March until 11:59pm"
        assert spans(text, "2023-03-04T09:30") == [(day(2023, 3, 7, 0), day(2023, 3, 7, 23, 59))]

    def test_time_range_after_the_day(self) -> None:
        text = "on Tuesday 20 December, again from 8am until 8pm."
        assert spans(text, "2022-12-15T07:45") == [(day(2022, 12, 20, 8), day(2022, 12, 20, 20))]

    def test_overnight_range_ends_next_day(self) -> None:
        text = "from 8pm on Sunday 30 April to 8am"
        assert spans(text, "2023-04-14T14:10") == [(day(2023, 4, 30, 20), day(2023, 5, 1, 8))]

    def test_end_given_as_return(self) -> None:
        text = (
            "walk out from 8pm, or the start of the night shift, on Sunday and return to work "
            "at midnight on Monday."
        )
        assert spans(text, "2023-04-27T15:30") == [(day(2023, 4, 30, 20), day(2023, 5, 1, 23, 59))]

    def test_between_two_days(self) -> None:
        assert spans("between 7am on 13 March and 7am on 16 March", MON) == [
            (day(2023, 3, 13, 7), day(2023, 3, 16, 7))
        ]

    def test_hours_of_a_list_apply_to_each_day(self) -> None:
        assert spans("on 6 and 7 February from 8am to 8pm", MON) == [
            (day(2023, 2, 6, 8), day(2023, 2, 6, 20)),
            (day(2023, 2, 7, 8), day(2023, 2, 7, 20)),
        ]

    def test_twelve_hours_on_two_days_stays_two_days(self) -> None:
        assert spans("12 hours of action on both 6 and 7 February", MON) == [
            (day(2023, 2, 6), None),
            (day(2023, 2, 7), None),
        ]

    def test_loose_clock_range_is_reported(self) -> None:
        periods, loose = extract("The action runs from 00:01 until 23:59.", at(MON))
        assert periods == []
        assert [(r.start, r.end) for r in loose] == [(time(0, 1), time(23, 59))]

    def test_pm_and_dotted_times(self) -> None:
        assert spans("from 7.30pm on 3 March", MON) == [(day(2023, 3, 3, 19, 30), None)]


def test_nearest_year_prefers_matching_weekday() -> None:
    # "Friday 6 January" written in late December means 2023 (a Friday), not 2022.
    assert nearest_year(1, 6, date(2022, 12, 20), weekday=4) == date(2023, 1, 6)


# --- generated phrases with known answers -------------------------------------------------

published_times = st.datetimes(
    min_value=datetime(2021, 1, 1), max_value=datetime(2027, 12, 31)
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=UK_TZ))


def _suffix(n: int) -> str:
    if 11 <= n % 100 <= 13:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _render(target: date, style: int, with_year: bool) -> str:
    month = MONTH_NAMES[target.month - 1]
    weekday = WEEKDAY_NAMES[target.weekday()]
    year = f" {target.year}" if with_year else ""
    return [
        f"{target.day} {month}{year}",
        f"{month} {target.day}{',' if with_year else ''}{year}",
        f"{weekday} {target.day} {month}{year}",
        f"{weekday}, {month} {target.day}{',' if with_year else ''}{year}",
        f"the {target.day}{_suffix(target.day)} of {month}{year}",
        f"{target.day}{_suffix(target.day)} {month}{year}",
    ][style]


@settings(max_examples=300, deadline=None)
@given(
    published=published_times,
    offset=st.integers(min_value=0, max_value=150),
    style=st.integers(min_value=0, max_value=5),
    with_year=st.booleans(),
)
def test_generated_future_dates(
    published: datetime, offset: int, style: int, with_year: bool
) -> None:
    target = published.date() + timedelta(days=offset)
    phrase = _render(target, style, with_year)
    periods = spans(f"Members will strike on {phrase}.", published.isoformat()[:16])
    assert [p[0].day for p in periods] == [target], phrase


@settings(max_examples=200, deadline=None)
@given(
    published=published_times,
    offset=st.integers(min_value=1, max_value=6),
    hour=st.integers(min_value=1, max_value=11),
    hours=st.sampled_from([12, 24, 48, 72, 96, 120]),
    pm=st.booleans(),
)
def test_generated_weekday_with_duration(
    published: datetime, offset: int, hour: int, hours: int, pm: bool
) -> None:
    target = published.date() + timedelta(days=offset)
    weekday = WEEKDAY_NAMES[target.weekday()]
    clock = f"{hour}{'pm' if pm else 'am'}"
    sentence = f"Staff will walk out for {hours} hours from {clock} on {weekday}."
    start = datetime.combine(target, time(hour + (12 if pm else 0)))
    end = start + timedelta(hours=hours)
    assert spans(sentence, published.isoformat()[:16]) == [
        (Moment(target, start.time()), Moment(end.date(), end.time()))
    ]


@settings(max_examples=200, deadline=None)
@given(
    published=published_times,
    offset=st.integers(min_value=0, max_value=100),
    length=st.integers(min_value=1, max_value=9),
    h1=st.integers(min_value=0, max_value=23),
    h2=st.integers(min_value=0, max_value=23),
)
def test_generated_dated_ranges(
    published: datetime, offset: int, length: int, h1: int, h2: int
) -> None:
    first = published.date() + timedelta(days=offset)
    last = first + timedelta(days=length)
    sentence = (
        f"The strike runs from {h1:02d}:00 on {_render(first, 0, False)} "
        f"until {h2:02d}:00 on {_render(last, 2, False)}."
    )
    assert spans(sentence, published.isoformat()[:16]) == [
        (Moment(first, time(h1)), Moment(last, time(h2)))
    ]


@pytest.mark.parametrize("days", [2, 5])
def test_generated_separate_days_list(days: int) -> None:
    base = date(2023, 3, 1)
    numbers = [str(base.day + 2 * i) for i in range(days)]
    phrase = ", ".join(numbers[:-1]) + f" and {numbers[-1]} March"
    assert [p[0].day for p in spans(f"Strikes on {phrase}.", "2023-02-01T09:00")] == [
        date(2023, 3, int(n)) for n in numbers
    ]


class TestHolidays:
    def test_christmas_days(self) -> None:
        assert spans("on Christmas Eve and Boxing Day", "2023-12-10T10:00") == [
            (day(2023, 12, 24), None),
            (day(2023, 12, 26), None),
        ]

    def test_easter_moves_each_year(self) -> None:
        assert spans("on Good Friday and Easter Monday", "2024-03-10T10:00") == [
            (day(2024, 3, 29), None),
            (day(2024, 4, 1), None),
        ]

    def test_bank_holidays(self) -> None:
        assert spans("over the early May bank holiday", "2023-04-14T10:00") == [
            (day(2023, 5, 1), None)
        ]
        assert spans("on the August bank holiday", "2025-07-01T10:00") == [(day(2025, 8, 25), None)]

    def test_new_year_across_the_year_end(self) -> None:
        assert spans("from New Year's Day", "2024-12-20T10:00") == [(day(2025, 1, 1), None)]


def _clock_phrase(hour: int, minute: int, style: int) -> str:
    if style == 0:
        return f"{hour:02d}:{minute:02d}"
    twelve = hour % 12 or 12
    suffix = "am" if hour < 12 else "pm"
    if style == 1 and minute == 0:
        return f"{twelve}{suffix}"
    return f"{twelve}.{minute:02d}{suffix}" if style == 1 else f"{twelve}:{minute:02d} {suffix}"


@settings(max_examples=200, deadline=None)
@given(
    hour=st.integers(min_value=0, max_value=23),
    minute=st.sampled_from([0, 1, 15, 30, 45, 59]),
    style=st.integers(min_value=0, max_value=2),
    offset=st.integers(min_value=1, max_value=60),
)
def test_generated_clock_times(hour: int, minute: int, style: int, offset: int) -> None:
    published = at("2024-03-01T09:00")
    target = published.date() + timedelta(days=offset)
    sentence = (
        f"The walkout starts at {_clock_phrase(hour, minute, style)} on {_render(target, 0, True)}."
    )
    assert spans(sentence, "2024-03-01T09:00") == [(Moment(target, time(hour, minute)), None)]


@settings(max_examples=150, deadline=None)
@given(
    published=published_times,
    weekday=st.integers(min_value=0, max_value=6),
    modifier=st.sampled_from(["", "next ", "this "]),
)
def test_generated_weekdays_fall_within_the_coming_fortnight(
    published: datetime, weekday: int, modifier: str
) -> None:
    sentence = f"Members will strike on {modifier}{WEEKDAY_NAMES[weekday]}."
    [(start, _)] = spans(sentence, published.isoformat()[:16])
    ahead = (start.day - published.date()).days
    assert start.day.weekday() == weekday
    assert 0 <= ahead <= 7 if modifier != "next " else 1 <= ahead <= 7


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            [
                *list("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;-()'\n"),
                "strike ",
                "on ",
                "March ",
                "Monday ",
                "7am ",
                "until ",
                "48-hour ",
                "RCN ",
            ]
        ),
        max_size=120,
    )
)
def test_arbitrary_text_never_breaks_the_detector(pieces: list[str]) -> None:
    from feeds.detection import ArticleInput, detect

    text = "".join(pieces)
    found = detect(ArticleInput(title=text[:40], text=text, published=at("2024-03-01T09:00")))
    assert 0 <= found.confidence <= 1
    for event in found.events:
        assert 0 <= event.confidence <= 1
        if event.start is not None:
            assert event.start.tzinfo is not None
            assert event.end is None or event.end >= event.start


def test_duration_after_the_start() -> None:
    text = "The strike begins at 00:01 on Thursday and lasts 24 hours."
    assert spans(text, MON) == [(day(2023, 1, 12, 0, 1), day(2023, 1, 13, 0, 1))]


def test_hours_of_each_listed_day_from_a_duration() -> None:
    assert spans("Nurses will walk out for 12 hours from 8am on 18 and 19 January.", MON) == [
        (day(2023, 1, 18, 8), day(2023, 1, 18, 20)),
        (day(2023, 1, 19, 8), day(2023, 1, 19, 20)),
    ]


def test_continuous_stoppage_across_midnight_minutes() -> None:
    text = "RCN members will strike from 00:01 on 18 January to 23:59 on 19 January."
    assert spans(text, MON) == [(day(2023, 1, 18, 0, 1), day(2023, 1, 19, 23, 59))]


def test_bracketed_hours_after_each_day() -> None:
    assert spans("Strike dates: 18 January (8am-8pm) and 19 January (8am-8pm)", MON) == [
        (day(2023, 1, 18, 8), day(2023, 1, 18, 20)),
        (day(2023, 1, 19, 8), day(2023, 1, 19, 20)),
    ]


@settings(max_examples=150, deadline=None)
@given(
    published=published_times,
    back=st.integers(min_value=1, max_value=150),
    style=st.integers(min_value=0, max_value=5),
)
def test_generated_past_tense_dates_stay_in_the_past(
    published: datetime, back: int, style: int
) -> None:
    target = published.date() - timedelta(days=back)
    phrase = _render(target, style, with_year=False)
    periods = spans(f"The first strike took place on {phrase}.", published.isoformat()[:16])
    assert [p[0].day for p in periods] == [target], phrase


def test_a_date_seven_months_ahead_beats_one_five_months_back() -> None:
    # Published 1 March: "12 October" is this autumn's, not last year's.
    assert spans("The strike on 12 October is off.", "2023-03-01T10:00") == [
        (day(2023, 10, 12), None)
    ]


def test_midnight_tonight_is_the_start_of_tomorrow() -> None:
    assert spans("Staff will walk out from midnight tonight for 24 hours.", MON) == [
        (day(2023, 1, 10, 0), day(2023, 1, 11, 0))
    ]


def test_until_the_next_day() -> None:
    assert spans("from 8am on Monday 16 January until 8pm the next day", MON) == [
        (day(2023, 1, 16, 8), day(2023, 1, 17, 20))
    ]
    assert spans("from 7am on 16 January to 7am the following day", MON) == [
        (day(2023, 1, 16, 7), day(2023, 1, 17, 7))
    ]


def test_week_long_and_fortnight() -> None:
    assert spans("a week-long strike from Monday 16 January", MON) == [
        (day(2023, 1, 16), day(2023, 1, 22))
    ]
    assert spans("walk out for a fortnight from 6 February", MON) == [
        (day(2023, 2, 6), day(2023, 2, 19))
    ]


def test_a_day_earlier_is_not_a_duration() -> None:
    text = "The strike will now end at midnight on Monday 1 May, a day earlier than planned."
    assert spans(text, "2023-04-27T15:30") == [(day(2023, 5, 1, 0), None)]


@settings(max_examples=150, deadline=None)
@given(
    published=published_times,
    offset=st.integers(min_value=1, max_value=120),
    gaps=st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=4),
    month_first=st.booleans(),
)
def test_generated_lists_of_days_in_one_month_are_separate_days(
    published: datetime, offset: int, gaps: list[int], month_first: bool
) -> None:
    first = published.date() + timedelta(days=offset)
    days = [first]
    for gap in gaps:
        days.append(days[-1] + timedelta(days=gap))
    days = [d for d in days if d.month == first.month]
    numbers = [str(d.day) for d in days]
    listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    month = MONTH_NAMES[first.month - 1]
    phrase = f"{month} {listed}" if month_first else f"{listed} {month}"
    periods = spans(f"Members will strike on {phrase}.", published.isoformat()[:16])
    assert [(p[0].day, p[1]) for p in periods] == [(d, None) for d in days], phrase


@settings(max_examples=100, deadline=None)
@given(
    published=published_times,
    offset=st.integers(min_value=1, max_value=100),
    length=st.integers(min_value=1, max_value=6),
)
def test_generated_day_ranges_are_one_stretch(
    published: datetime, offset: int, length: int
) -> None:
    first = published.date() + timedelta(days=offset)
    last = first + timedelta(days=length)
    assume(last.month == first.month)  # "from 30 to 2 March" is not a phrase anyone writes
    month = MONTH_NAMES[first.month - 1]
    sentence = f"The walkout runs from {first.day} to {last.day} {month}."
    assert spans(sentence, published.isoformat()[:16]) == [(Moment(first), Moment(last))]
