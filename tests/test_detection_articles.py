"""Whole articles (written for these tests) through the detector, checked as a reader would."""

from __future__ import annotations

from datetime import datetime

import pytest

from config.db_types import UK_TZ
from config.topics import TOPICS
from feeds.detection import ArticleInput, ArticleInputError, DetectedEvent, Detection, detect
from subscribers.gazetteer import load_gazetteer


def run(title: str, text: str, published: str, **kw: object) -> Detection:
    when = datetime.fromisoformat(published)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UK_TZ)
    return detect(ArticleInput(title=title, text=text, published=when, **kw))  # type: ignore[arg-type]


def fmt(ev: DetectedEvent, which: str = "start") -> str | None:
    moment = ev.start if which == "start" else ev.end
    has_time = ev.start_has_time if which == "start" else ev.end_has_time
    if moment is None:
        return None
    local = moment.astimezone(UK_TZ)
    return local.strftime("%Y-%m-%dT%H:%M" if has_time else "%Y-%m-%d")


def walkouts(found: Detection) -> list[tuple[str | None, str | None, str, tuple[str, ...]]]:
    return [
        (fmt(e), fmt(e, "end"), e.status, tuple(e.unions))
        for e in found.events
        if e.start is not None
    ]


def test_separate_strike_days_are_separate_events() -> None:
    found = run(
        "Midwives announce two days of strikes",
        "Midwives in the Royal College of Midwives will walk out on 14 and 28 March in a dispute "
        "over staffing, the college said today.\n"
        "The union said its members had been left with no choice.",
        "2024-02-20T10:00",
    )
    assert found.is_strike_news
    assert walkouts(found) == [
        ("2024-03-14", None, "announced", ("RCM",)),
        ("2024-03-28", None, "announced", ("RCM",)),
    ]
    assert all(e.topic == "nursing" and "Midwives" in e.staff for e in found.events)


def test_strike_under_way_today_with_hours() -> None:
    found = run(
        "Porters on picket lines at city hospital",
        "Porters and cleaners in Unison at Riverside Hospitals NHS Foundation Trust are on strike "
        "today, Tuesday 5 November, from 7am to 7pm.\n"
        "Managers said emergency services were running as normal.",
        "2024-11-05T09:15",
    )
    assert walkouts(found) == [("2024-11-05T07:00", "2024-11-05T19:00", "going_ahead", ("Unison",))]
    event = found.events[0]
    assert "Riverside Hospitals NHS Foundation Trust" in event.employers
    assert event.topic == "other_nhs"
    assert 0.0 < event.confidence <= 1.0
    assert any("5 November" in s for s in event.evidence)


def test_continuous_stoppage_from_until() -> None:
    found = run(
        "Resident doctors begin longest walkout",
        "Resident doctors in the BMA began a full walkout at 7am today (Friday) which will last "
        "until 7am on Wednesday, 2 October.",
        "2024-09-27T08:00",
    )
    assert walkouts(found) == [("2024-09-27T07:00", "2024-10-02T07:00", "going_ahead", ("BMA",))]
    assert found.events[0].topic == "doctors"


def test_duration_from_a_start_time() -> None:
    found = run(
        "Physiotherapists to strike for 48 hours",
        "Members of the Chartered Society of Physiotherapy will stage a 48-hour strike from 8am on "
        "Monday 3 June.",
        "2024-05-10T12:00",
    )
    assert walkouts(found) == [("2024-06-03T08:00", "2024-06-05T08:00", "announced", ("CSP",))]


def test_five_day_walkout_without_hours() -> None:
    found = run(
        "Bus drivers to strike for a week",
        "Bus drivers in Unite will begin a five-day walkout on Monday 8 July.",
        "2024-06-25T12:00",
    )
    assert walkouts(found) == [("2024-07-08", "2024-07-12", "announced", ("Unite",))]
    assert found.events[0].topic == "transport"


def test_region_list_lines_take_the_union_named_above() -> None:
    found = run(
        "Ambulance crews in GMB announce regional strike days",
        "GMB ambulance workers will strike on these days:\n"
        "- North West: 9 and 16 April\n"
        "- Yorkshire: 10 April\n"
        "The union said it would publish cover arrangements.",
        "2024-03-25T09:00",
    )
    assert [w[0] for w in walkouts(found)] == ["2024-04-09", "2024-04-16", "2024-04-10"]
    assert all(e.unions == ["GMB"] and e.topic == "ambulance" for e in found.events)
    assert "North West" in found.events[0].areas


def test_several_unions_and_dates_in_one_sentence() -> None:
    found = run(
        "Health strikes next week",
        "Nurses in the RCN are out on Monday and Tuesday, GMB ambulance crews strike on Wednesday, "
        "and radiographers in the Society of Radiographers walk out on Friday.",
        "2024-01-10T12:00",  # a Wednesday: the named days run forward from next Monday
    )
    assert walkouts(found) == [
        ("2024-01-15", None, "announced", ("RCN",)),
        ("2024-01-16", None, "announced", ("RCN",)),
        ("2024-01-17", None, "announced", ("GMB",)),
        ("2024-01-19", None, "announced", ("SoR",)),
    ]


def test_call_off_reports_the_old_date_as_off() -> None:
    found = run(
        "Rail strike called off",
        "The RMT has called off its strike on Saturday 12 October after a new pay offer.\n"
        "Members will vote on the offer over the next fortnight.",
        "2024-10-08T16:00",
    )
    assert walkouts(found) == [("2024-10-12", None, "cancelled", ("RMT",))]
    assert any(e.status == "ballot" and e.start is None for e in found.events)


def test_suspended_and_postponed_and_moved() -> None:
    found = run(
        "Teachers' strike moved",
        "The NEU has postponed the strike planned for 14 May, which will now be rescheduled to "
        "22 May.\nA second walkout on 29 May has been suspended while talks continue.",
        "2024-05-01T10:00",
    )
    by_day = {w[0]: w[2] for w in walkouts(found)}
    assert by_day["2024-05-14"] in {"postponed", "suspended", "cancelled"}
    assert by_day["2024-05-22"] == "rescheduled"
    assert by_day["2024-05-29"] == "suspended"


def test_will_not_strike_is_off() -> None:
    found = run(
        "Drivers stand down",
        "Train drivers in Aslef will not strike on 3 August after all, the union said today.",
        "2024-07-30T10:00",
    )
    assert walkouts(found) == [("2024-08-03", None, "cancelled", ("Aslef",))]


def test_hoped_for_call_off_stays_on() -> None:
    found = run(
        "Strike set to go ahead",
        "The strike by Unison paramedics on 20 March could be called off if ministers make an "
        "offer, but nothing concrete had been offered to call off the walkout.",
        "2024-03-15T10:00",
    )
    assert walkouts(found) == [("2024-03-20", None, "announced", ("Unison",))]


def test_past_walkout_mentioned_in_passing_is_not_an_event() -> None:
    found = run(
        "Second day of ambulance strike",
        "The first day of industrial action took place on 21 December. The second day is due to "
        "take place today, Wednesday 11 January (00:01 to 23:59), GMB said.",
        "2023-01-11T08:05+00:00",
    )
    assert walkouts(found) == [("2023-01-11T00:01", "2023-01-11T23:59", "going_ahead", ("GMB",))]


def test_hours_in_the_next_sentence_belong_to_the_day_before() -> None:
    found = run(
        "Nurses strike",
        "RCN nurses will strike on Thursday 6 June. The action runs from 8am until 8pm.",
        "2024-05-30T10:00",
    )
    assert walkouts(found) == [("2024-06-06T08:00", "2024-06-06T20:00", "announced", ("RCN",))]


def test_talks_and_reporting_dates_are_not_walkouts() -> None:
    found = run(
        "Lecturers set strike date after talks fail",
        "Lecturers in the UCU will strike on 25 November, the union announced today. Talks on "
        "Monday broke up without agreement, and the ballot closes on 2 December.",
        "2024-11-14T12:00",
    )
    assert walkouts(found) == [("2024-11-25", None, "announced", ("UCU",))]


def test_ballot_only_article_is_news_without_walkouts() -> None:
    found = run(
        "Radiographers to ballot over pay",
        "The Society of Radiographers will ballot its members in England for industrial action "
        "over pay, the union said.",
        "2024-02-01T10:00",
    )
    assert found.is_strike_news
    assert walkouts(found) == []
    assert [(e.status, e.unions) for e in found.events] == [("ballot", ["SoR"])]


def test_deal_accepted() -> None:
    found = run(
        "Bin strike ends as workers accept deal",
        "Refuse collectors in Unite have voted to accept an improved pay offer, ending the strike "
        "action at the council.",
        "2024-08-01T10:00",
    )
    assert found.is_strike_news
    assert [e.status for e in found.events] == ["deal_accepted"]


def test_retrospective_piece_is_not_news() -> None:
    found = run(
        "A year on from the porters' walkout, what changed?",
        "A year ago, porters walked out on 3 and 4 March for the first time. The strikes cost the "
        "trust £2m, and the dispute ended with a deal in May.",
        "2025-03-03T07:00",
    )
    assert not found.is_strike_news
    assert found.events == []


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Activist on hunger strike",
            "The campaigner is on day ten of a hunger strike outside the embassy.",
        ),
        (
            "Lightning strike hits church",
            "A lightning strike set the church roof alight on Tuesday.",
        ),
        ("Ministers strike a deal on trade", "The two governments struck a deal on tariffs today."),
        ("Striker signs new deal", "The club's top striker has signed a contract until 2027."),
        (
            "Air strikes on militant bases",
            "Military strikes hit positions overnight, officials said.",
        ),
        (
            "Drug firm and NHS strike deal",
            "The NHS strikes deal to roll out a new jab to patients.",
        ),
        (
            "Councillors stage walkout",
            "Opposition councillors staged a walkout from the town hall meeting on Monday.",
        ),
        (
            "French unions stage pension strikes",
            "Workers across France walked out on Tuesday as unions in Paris held a national strike "
            "against pension reform.",
        ),
        ("NHS waiting list grows", "The NHS waiting list grew again in May, figures show."),
    ],
)
def test_distractors_are_not_strike_news(title: str, text: str) -> None:
    found = run(title, text, "2024-06-11T10:00")
    assert not found.is_strike_news
    assert found.events == []


def test_area_codes_from_the_gazetteer() -> None:
    article = ArticleInput(
        title="Ambulance staff to walk out",
        text="GMB members at South East Coast Ambulance Service will strike on 6 March.",
        published=datetime(2024, 2, 20, 10, 0, tzinfo=UK_TZ),
    )
    found = detect(article, load_gazetteer())
    assert found.events[0].area_codes == ["RYD"]
    assert "South East Coast Ambulance Service" in found.events[0].employers


def test_feed_default_areas_when_no_place_is_named() -> None:
    found = run(
        "Strike on Friday",
        "Unison members will strike on Friday 8 March.",
        "2024-03-01T10:00",
        default_areas=("E12000008",),
    )
    assert found.events[0].area_codes == ["E12000008"]


def test_every_event_has_a_known_topic_and_bounded_confidence() -> None:
    found = run(
        "Teachers and rail workers strike",
        "NEU teachers will strike on 5 July and RMT rail workers on 6 July.",
        "2024-06-20T10:00",
    )
    assert {e.topic for e in found.events} == {"education", "transport"}
    assert all(e.topic in TOPICS and 0 <= e.confidence <= 1 for e in found.events)
    assert 0 <= found.confidence <= 1


def test_naive_publication_time_is_refused() -> None:
    with pytest.raises(ArticleInputError, match="timezone-aware"):
        ArticleInput(title="t", text="x", published=datetime(2024, 1, 1, 9, 0))


def test_union_with_its_own_hours_is_its_own_walkout() -> None:
    found = run(
        "Three unions to strike on 14 December",
        "Ambulance workers in GMB, Unison and Unite will walk out on 14 December, the unions "
        "said.\n"
        "Unison crews will strike from midday to midnight on 14 December.",
        "2025-12-01T10:00+00:00",
    )
    assert sorted((w[0], w[1], w[3]) for w in walkouts(found)) == [
        ("2025-12-14", None, ("GMB", "Unite")),
        ("2025-12-14T12:00", "2025-12-14T23:59", ("Unison",)),
    ]


def test_trailing_as_are_clause_adds_that_union() -> None:
    found = run(
        "Nurses and ambulance crews out on the same day",
        "9 March is the day RCN nurses are due to strike, as are ambulance crews in the GMB.",
        "2026-02-20T10:00+00:00",
    )
    assert sorted(w[3] for w in walkouts(found)) == [("GMB",), ("RCN",)]


def test_between_two_days_of_one_month_is_one_stretch() -> None:
    found = run(
        "Lecturers to strike",
        "UCU members will strike between 18 and 20 March.",
        "2026-03-01T10:00+00:00",
    )
    assert walkouts(found) == [("2026-03-18", "2026-03-20", "announced", ("UCU",))]


def test_weekdays_of_a_suspension_are_the_coming_ones() -> None:
    found = run(
        "Station staff strike suspended",
        "The TSSA has suspended planned strikes at Network Rail on Friday and Saturday after a new "
        "offer, the union said on Wednesday.",
        "2022-11-02T15:00+00:00",  # a Wednesday
    )
    assert walkouts(found) == [
        ("2022-11-04", None, "suspended", ("TSSA",)),
        ("2022-11-05", None, "suspended", ("TSSA",)),
    ]


def test_vote_for_action_is_a_ballot_not_a_deal() -> None:
    found = run(
        "University staff vote for strike action",
        "UCU members at 20 universities have voted for strike action in a dispute over job cuts.",
        "2024-11-20T09:00+00:00",
    )
    assert found.is_strike_news
    assert [(e.status, e.unions) for e in found.events] == [("ballot", ["UCU"])]


def test_strike_abroad_is_not_uk_news() -> None:
    found = run(
        "Nurses strike in New York",
        "Thousands of nurses in New York walked off the job on Monday at two hospitals, their "
        "association said.",
        "2023-01-09T15:00+00:00",
    )
    assert not found.is_strike_news


def test_staff_named_without_union_is_still_industrial_action() -> None:
    found = run(
        "Physiotherapists walk out tomorrow",
        "Physiotherapists will walk out tomorrow from 8am until 4pm.",
        "2023-01-25T10:00+00:00",
    )
    assert found.is_strike_news
    assert walkouts(found) == [("2023-01-26T08:00", "2023-01-26T16:00", "announced", ("CSP",))]


def test_headline_with_colon_and_range() -> None:
    found = run(
        "Doctors' strike: 7am Friday 20 December to 7am Friday 27 December",
        "Resident doctors in the BMA will walk out over Christmas.",
        "2024-12-05T10:00+00:00",
    )
    assert walkouts(found) == [("2024-12-20T07:00", "2024-12-27T07:00", "announced", ("BMA",))]


def test_tv_drama_named_strike_is_not_news() -> None:
    found = run(
        "Strike: The Ink Black Heart - when is it on?",
        "The detective drama Strike returns tonight at 9pm on Sunday with a two-part story.",
        "2023-12-10T09:00+00:00",
    )
    assert not found.is_strike_news


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The strike, announced on 5 January, will take place on 18 January, Unison said.",
            [("2023-01-18", None, "announced", ("Unison",))],
        ),
        ("The RCN has until 31 January to call further strike action under its mandate.", []),
        ("The ballot for strike action runs from 10 to 24 February, the NEU said.", []),
        ("Nurses will strike before 6 March unless talks resume, the RCN warned.", []),
        (
            "Strikes have been held since 15 December by RCN members, who will walk out again on "
            "18 January.",
            [("2023-01-18", None, "announced", ("RCN",))],
        ),
    ],
)
def test_dates_that_are_not_walkout_starts(
    text: str, expected: list[tuple[str | None, str | None, str, tuple[str, ...]]]
) -> None:
    assert walkouts(run("Strike news", text, "2023-01-16T10:00+00:00")) == expected


def test_conditional_suspension_stays_on() -> None:
    found = run(
        "Strikes could be suspended",
        "Unite said strikes on 6 and 7 February will be suspended if the government makes an "
        "offer.",
        "2023-01-16T10:00+00:00",
    )
    assert [w[2] for w in walkouts(found)] == ["announced", "announced"]


def test_one_date_off_and_another_on_in_one_sentence() -> None:
    found = run(
        "One strike day off",
        "GMB's strike on 6 February has been called off, but the walkout on 7 February will go "
        "ahead.",
        "2023-01-16T10:00+00:00",
    )
    assert walkouts(found) == [
        ("2023-02-06", None, "cancelled", ("GMB",)),
        ("2023-02-07", None, "going_ahead", ("GMB",)),
    ]


def test_a_union_page_speaks_for_its_own_union() -> None:
    found = run(
        "Our members will walk out",
        "Our ambulance members will walk out on 3 March over unsafe staffing levels.",
        "2025-02-20T10:00+00:00",
        source="GMB",
        publisher_kind="union",
    )
    assert walkouts(found) == [("2025-03-03", None, "announced", ("GMB",))]


def test_a_trust_page_names_itself_as_employer() -> None:
    found = run(
        "Industrial action: information for patients",
        "Resident doctors in the BMA will strike from 7am on Friday 25 July until 7am on "
        "Wednesday 30 July 2025. Please attend appointments unless we contact you.",
        "2025-07-10T12:00+01:00",
        source="Leeds Teaching Hospitals NHS Trust",
        publisher_kind="nhs_trust",
    )
    assert walkouts(found) == [("2025-07-25T07:00", "2025-07-30T07:00", "announced", ("BMA",))]
    assert found.events[0].employers == ["Leeds Teaching Hospitals NHS Trust"]


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Minimum service levels law",
            "The anti-strike law will require minimum service levels on strike days, ministers "
            "said. Unions called the plans an attack on the right to strike.",
        ),
        (
            "Strikes cost hospitals millions",
            "Strikes by porters cost the trust £2m last year, a report says. The walkouts led to "
            "thousands of appointments being rescheduled.",
        ),
        (
            "Pupils walk out over climate",
            "Hundreds of pupils staged a walkout from lessons on Friday to join a climate protest.",
        ),
        (
            "Nurses in Ireland to strike",
            "Nurses in the Republic of Ireland will strike on 30 January, the INMO said.",
        ),
    ],
)
def test_policy_retrospective_and_non_industrial_mentions(title: str, text: str) -> None:
    assert not run(title, text, "2024-01-16T10:00+00:00").is_strike_news


def test_pay_ballot_without_the_word_strike_is_news() -> None:
    found = run(
        "Teachers to be balloted",
        "The NEU will ballot members in England over pay in the autumn, the union said.",
        "2024-01-16T10:00+00:00",
    )
    assert found.is_strike_news
    assert [(e.status, e.unions) for e in found.events] == [("ballot", ["NEU"])]


def test_northern_ireland_is_the_uk() -> None:
    found = run(
        "Bus drivers in Northern Ireland to strike",
        "Translink bus drivers in Northern Ireland will strike on 30 January, Unite and GMB said.",
        "2024-01-16T10:00+00:00",
    )
    assert walkouts(found) == [("2024-01-30", None, "announced", ("Unite", "GMB"))]


def test_bulleted_days_with_an_overtime_ban_around_them() -> None:
    found = run(
        "Rail strikes this week",
        "Train drivers in the Aslef union are holding regional strikes this week.\n"
        "- Tuesday 30 January: Southeastern and Southern\n"
        "- Wednesday 31 January: c2c and Greater Anglia\n"
        "Drivers are also refusing to work overtime from Monday 29 January to Tuesday 6 February.",
        "2024-01-29T09:00+00:00",
    )
    assert walkouts(found) == [
        ("2024-01-30", None, "announced", ("Aslef",)),
        ("2024-01-31", None, "announced", ("Aslef",)),
    ]
    assert found.events[0].employers == ["Southeastern", "Southern"]


def test_the_action_that_had_been_planned_is_called_off() -> None:
    found = run(
        "Hospital strike called off",
        "A strike by porters at Riverside Hospital has been called off.\n"
        "Unison said members had voted to accept a new offer. The action had been planned for "
        "9 and 10 October.",
        "2024-10-04T12:00+01:00",
    )
    assert [(w[0], w[2]) for w in walkouts(found)] == [
        ("2024-10-09", "cancelled"),
        ("2024-10-10", "cancelled"),
    ]
    assert "deal_accepted" in {e.status for e in found.events}


def test_a_ballot_that_closed_and_an_end_time_are_not_walkouts() -> None:
    found = run(
        "Doctors to strike in July",
        "Resident doctors in the BMA will strike from 7am on Friday 25 July until 7am on "
        "Wednesday 30 July. Members voted for action in a ballot which closed on Monday. "
        "A previous strike will now end at midnight on Tuesday 8 July.",
        "2025-07-08T15:00+01:00",
    )
    assert [w[0] for w in walkouts(found)] == ["2025-07-25T07:00"]


def test_a_condition_to_call_off_does_not_call_off_the_next_strikes() -> None:
    found = run(
        "Teachers' strikes to go ahead",
        "Ministers offered talks on condition that the union called off its action. "
        "It means NEU members will strike on Tuesday and Wednesday.",
        "2023-02-25T15:00+00:00",
    )
    assert walkouts(found) == [
        ("2023-02-28", None, "announced", ("NEU",)),
        ("2023-03-01", None, "announced", ("NEU",)),
    ]


def test_topic_from_the_workplace_when_staff_are_not_named() -> None:
    found = run(
        "Airport security strike",
        "Unite members will strike at the airport on the 24th, 25th and 26th of January.",
        "2023-01-10T10:00+00:00",
    )
    assert [w[0] for w in walkouts(found)] == ["2023-01-24", "2023-01-25", "2023-01-26"]
    assert {e.topic for e in found.events} == {"transport"}


def test_a_strike_that_ended_before_publication_is_not_news() -> None:
    found = run(
        "Doctors return to work after strike",
        "The junior doctors' strike ended at 7am today after 72 hours, the BMA said. Hospitals "
        "said they would take weeks to recover.",
        "2023-03-16T10:00+00:00",
    )
    assert not found.is_strike_news


def test_nth_day_of_a_stoppage_dates_its_start() -> None:
    found = run(
        "Nurses strike",
        "Nurses in the RCN are on the second day of a 48-hour strike over pay.",
        "2023-04-14T10:00+01:00",
    )
    assert walkouts(found) == [("2023-04-13", "2023-04-14", "going_ahead", ("RCN",))]


def test_very_long_run_on_text_is_bounded_and_still_read() -> None:
    filler = " and ".join(["Monday 3 March"] * 5_000)  # ~95,000 characters, no full stop
    found = run(
        "Porters to strike",
        "Unison porters will strike on 12 March.\n" + filler,
        "2025-03-01T10:00+00:00",
    )
    assert ("2025-03-12", None, "announced", ("Unison",)) in walkouts(found)
    assert len(found.events) <= 45


@pytest.mark.parametrize(
    "text",
    [
        "The RMT strike on 12 October is off after members backed a new offer.",
        "The RMT has called the 12 October strike off.",
        "There will be no strike on 12 October after RMT members accepted the offer.",
    ],
)
def test_ways_of_calling_a_strike_off(text: str) -> None:
    found = run("Rail strike off", text, "2023-03-01T10:00+00:00")
    assert [(w[0], w[2], w[3]) for w in walkouts(found)] == [("2023-10-12", "cancelled", ("RMT",))]


def test_northern_irish_is_uk_and_irish_is_not() -> None:
    at_home = run(
        "Northern Irish nurses to strike",
        "Northern Irish nurses will walk out on 6 March over pay.",
        "2023-03-01T10:00+00:00",
    )
    abroad = run(
        "Irish nurses to strike",
        "Irish nurses will walk out in Dublin on 6 March over pay.",
        "2023-03-01T10:00+00:00",
    )
    assert at_home.is_strike_news and [w[0] for w in walkouts(at_home)] == ["2023-03-06"]
    assert not abroad.is_strike_news and abroad.events == []


def test_union_lines_under_a_strike_headline() -> None:
    found = run(
        "Ambulance strike dates",
        "The dates are:\nUnison: 6 and 20 February\nGMB: 6 February and 6 March",
        "2023-01-20T10:00+00:00",
    )
    assert found.is_strike_news
    assert [(w[0], w[3]) for w in walkouts(found)] == [
        ("2023-02-06", ("Unison",)),
        ("2023-02-20", ("Unison",)),
        ("2023-02-06", ("GMB",)),
        ("2023-03-06", ("GMB",)),
    ]


def test_union_named_in_the_next_sentence() -> None:
    found = run(
        "Hospital staff to strike",
        "Cleaners and porters at Riverside Hospital will strike for five days from Monday 12 "
        "February. Unite said its members had been offered a pay rise below inflation.",
        "2024-02-01T10:00+00:00",
    )
    assert walkouts(found) == [("2024-02-12", "2024-02-16", "announced", ("Unite",))]


def test_page_timestamps_and_borrowed_staff() -> None:
    found = run(
        "NHS strikes set to go ahead",
        "9 January 2023, 19:39 | Updated: 9 January 2023, 20:04\n"
        "Ambulance workers in Unison will strike on Wednesday.\n"
        "The Royal College of Nursing said strikes on January 18 and 19 would go ahead.",
        "2023-01-09T19:39+00:00",
    )
    assert [(w[0], w[3]) for w in walkouts(found)] == [
        ("2023-01-11", ("Unison",)),
        ("2023-01-18", ("RCN",)),
        ("2023-01-19", ("RCN",)),
    ]
    rcn = [e for e in found.events if e.unions == ["RCN"]]
    assert all(e.topic == "nursing" and "Ambulance workers" not in e.staff for e in rcn)


def test_northern_ireland_is_not_the_northern_train_company() -> None:
    found = run(
        "Ambulance strike",
        "Ambulance staff will walk out in England, Wales and Northern Ireland on 21 December, "
        "Unite said.",
        "2022-12-10T10:00+00:00",
    )
    assert found.events[0].employers == []
    assert "Northern Ireland" in found.events[0].areas


def test_northern_region_is_not_a_train_company_in_a_school_strike() -> None:
    found = run(
        "Teachers strike by region",
        "NEU members in the Northern, North West and Yorkshire regions will strike on Tuesday "
        "28 February.",
        "2023-02-20T10:00+00:00",
    )
    assert found.events[0].employers == []


def test_also_clause_union_gets_its_own_staff_and_topic() -> None:
    found = run(
        "Nurses and ambulance crews out on the same day",
        "9 March is the day RCN nurses are due to strike, as are ambulance crews in the GMB.",
        "2026-02-20T10:00+00:00",
    )
    gmb = [e for e in found.events if e.unions == ["GMB"]]
    assert gmb and gmb[0].topic == "ambulance" and gmb[0].staff == ["ambulance crews"]


def test_call_off_read_from_a_neighbouring_sentence_is_less_sure() -> None:
    found = run(
        "Strikes called off",
        "Unite has called off its strike on 6 March.\nThe walkouts planned for 8 March.",
        "2023-03-01T10:00+00:00",
    )
    by_day = {fmt(e): e for e in found.events if e.start is not None}
    assert by_day["2023-03-06"].status == "cancelled"
    assert by_day["2023-03-08"].status == "cancelled"
    # The default approval threshold is 0.75: the inferred one is held for a person.
    assert by_day["2023-03-08"].confidence < 0.75 <= by_day["2023-03-06"].confidence
