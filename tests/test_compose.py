"""Alert wording: what a resident reads, its encoding and its length."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.topics import TOPICS
from notifier import message_templates as T
from notifier.compose import (
    Alert,
    ComposeError,
    Links,
    PreviousTimes,
    Source,
    StrikeFacts,
    compose_message,
    compose_sms,
    compose_telegram,
    format_when,
    merge_alerts,
    previous_times,
)
from notifier.gsm import is_gsm, segment_count

NOW = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)  # Friday 9 January 2026, noon UK
LINKS = Links("https://strikealerts.example")

NURSES = StrikeFacts(
    id=12,
    topic="nursing",
    unions=("RCN",),
    staff=("nurses",),
    employers=("Leeds Teaching Hospitals NHS Trust",),
    area_names=("Leeds",),
    start=datetime(2026, 1, 14, 0, 1, tzinfo=UTC),
    end=datetime(2026, 1, 14, 23, 59, tzinfo=UTC),
    details_url="https://www.rcn.org.uk/news/strike-dates",
    sources=(Source("RCN news", "https://www.rcn.org.uk/news/strike-dates"),),
)
AMBULANCE = StrikeFacts(
    id=13,
    topic="ambulance",
    status="announced",
    unions=("Unite", "GMB"),
    staff=("ambulance workers",),
    employers=("Yorkshire Ambulance Service",),
    area_names=("West Yorkshire", "South Yorkshire"),
    start=datetime(2026, 1, 15, 7, 0, tzinfo=UTC),
    end=datetime(2026, 1, 17, 7, 0, tzinfo=UTC),
)
SHORT = StrikeFacts(
    id=5,
    topic="doctors",
    unions=("BMA",),
    staff=("resident doctors",),
    area_names=("Hull",),
    start=datetime(2026, 1, 10, 7, 0, tzinfo=UTC) + timedelta(days=7),
    end=datetime(2026, 1, 10, 19, 0, tzinfo=UTC) + timedelta(days=7),
)


def _ok_sms(text: str) -> None:
    assert is_gsm(text), text
    assert segment_count(text) <= 2, text
    assert text.endswith(T.SMS_STOP)


def test_announcement_says_who_which_services_when_where_what_to_do_link_and_stop() -> None:
    text = compose_sms([Alert("announced", NURSES)], NOW, LINKS)
    _ok_sms(text)
    assert text.startswith("STRIKE: RCN nurses at Leeds Teaching Hospitals NHS Trust")
    assert "Wed 14 Jan, 00:01-23:59" in text
    assert "in Leeds" in text
    assert "call 999" in text and "NHS 111 online or a pharmacy" in text
    assert "https://strikealerts.example/strikes/12" in text


def test_short_facts_fit_one_segment() -> None:
    # The full health advice alone is 79 characters: with a short address the short form fits.
    text = compose_sms([Alert("announced", SHORT)], NOW, Links("https://sa.uk"))
    _ok_sms(text)
    assert segment_count(text) == 1
    assert "BMA resident doctors" in text and "Sat 17 Jan, 07:00-19:00" in text
    assert "Emergency: 999. Else NHS 111 online or a pharmacy." in text
    off = compose_sms([Alert("called_off", SHORT)], NOW, LINKS)
    assert segment_count(off) == 1 and "BMA resident doctors" in off
    rail = StrikeFacts(
        id=9,
        topic="transport",
        unions=("RMT",),
        staff=("guards",),
        area_names=("Kent",),
        start=SHORT.start,
        end=SHORT.end,
    )
    assert segment_count(compose_sms([Alert("announced", rail)], NOW, LINKS)) == 1


def test_long_facts_keep_the_full_advice_in_two_segments() -> None:
    text = compose_sms([Alert("announced", NURSES)], NOW, LINKS)
    assert segment_count(text) == 2
    assert T.ADVICE_FULL["nursing"] in text


def test_times_are_uk_local_in_summer() -> None:
    summer = StrikeFacts(
        id=1,
        topic="nursing",
        start=datetime(2026, 6, 10, 6, 0, tzinfo=UTC),
        end=datetime(2026, 6, 10, 18, 0, tzinfo=UTC),
    )
    assert format_when(summer.start, summer.end, False, NOW) == "Wed 10 Jun, 07:00-19:00"


def test_when_wording() -> None:
    d = datetime
    assert format_when(None, None, False, NOW) == "date to be confirmed"
    assert format_when(d(2026, 1, 14, tzinfo=UTC), d(2026, 1, 15, tzinfo=UTC), True, NOW) == (
        "Wed 14 Jan, all day"
    )
    assert format_when(d(2026, 1, 14, tzinfo=UTC), d(2026, 1, 17, tzinfo=UTC), True, NOW) == (
        "Wed 14 Jan - Fri 16 Jan"
    )
    assert (
        format_when(d(2026, 1, 14, 20, tzinfo=UTC), d(2026, 1, 15, 8, tzinfo=UTC), False, NOW)
        == "Wed 14 Jan 20:00 - Thu 15 Jan 08:00"
    )
    assert format_when(d(2026, 1, 14, 7, tzinfo=UTC), None, False, NOW) == "from Wed 14 Jan, 07:00"
    # A date-only end (held as 23:59) and date-only starts.
    assert (
        format_when(
            d(2026, 1, 14, 0, 1, tzinfo=UTC),
            d(2026, 1, 14, 23, 59, tzinfo=UTC),
            False,
            NOW,
            end_all_day=True,
        )
        == "Wed 14 Jan, 00:01-23:59"
    )
    assert (
        format_when(
            d(2026, 1, 14, tzinfo=UTC),
            d(2026, 1, 16, 23, 59, tzinfo=UTC),
            True,
            NOW,
            end_all_day=True,
        )
        == "Wed 14 Jan - Fri 16 Jan"
    )
    assert (
        format_when(
            d(2026, 1, 14, 7, tzinfo=UTC),
            d(2026, 1, 16, 23, 59, tzinfo=UTC),
            False,
            NOW,
            end_all_day=True,
        )
        == "Wed 14 Jan 07:00 - Fri 16 Jan"
    )
    assert format_when(d(2026, 1, 14, tzinfo=UTC), None, True, NOW) == "Wed 14 Jan, all day"
    # Another year than today's is spelt out.
    assert format_when(d(2027, 1, 6, 7, tzinfo=UTC), None, False, NOW) == (
        "from Wed 6 Jan 2027, 07:00"
    )


def test_reminder_says_tomorrow_in_uk_dates() -> None:
    evening = datetime(2026, 1, 13, 18, 0, tzinfo=UTC)
    text = compose_sms([Alert("reminder", NURSES)], evening, LINKS)
    _ok_sms(text)
    assert text.startswith("STRIKE TOMORROW: RCN nurses")
    tg = compose_telegram([Alert("reminder", NURSES)], evening, LINKS)
    assert "Reminder: strike tomorrow" in tg


def test_called_off_says_so_without_emergency_advice() -> None:
    off = replace(NURSES, status="suspended")
    text = compose_sms([Alert("called_off", off)], NOW, LINKS)
    _ok_sms(text)
    assert text.startswith("STRIKE CALLED OFF (suspended): RCN nurses")
    assert "999" not in text
    assert T.ADVICE_CALLED_OFF in text


def test_change_gives_new_and_old_times() -> None:
    prev = PreviousTimes(
        datetime(2026, 1, 13, 0, 1, tzinfo=UTC), datetime(2026, 1, 13, 23, 59, tzinfo=UTC)
    )
    text = compose_sms([Alert("changed", NURSES, prev)], NOW, LINKS)
    _ok_sms(text)
    assert "STRIKE CHANGED" in text
    assert "now Wed 14 Jan, 00:01-23:59 (was Tue 13 Jan, 00:01-23:59)" in text
    tg = compose_telegram([Alert("changed", NURSES, prev)], NOW, LINKS)
    assert "Previously: Tue 13 Jan, 00:01-23:59" in tg


def test_previous_times_from_a_change_snapshot() -> None:
    prev = previous_times('{"start": "2026-01-13T00:01:00+00:00", "all_day": false}')
    assert prev == PreviousTimes(datetime(2026, 1, 13, 0, 1, tzinfo=UTC), None, False)
    assert previous_times('{"areas": ["x"]}') is None
    assert previous_times("not json") is None


def test_several_strikes_become_one_message_listing_each() -> None:
    alerts = [Alert("announced", AMBULANCE), Alert("announced", NURSES), Alert("called_off", SHORT)]
    text = compose_sms(alerts, NOW, LINKS)
    _ok_sms(text)
    assert text.count(T.SMS_STOP) == 1
    assert text.startswith("3 strike updates for your area:")
    # Soonest first; each is labelled with what happened.
    assert text.index("NEW RCN") < text.index("NEW Unite & GMB") < text.index("OFF BMA")
    assert "https://strikealerts.example/strikes " in text


def test_many_strikes_still_fit_two_segments_and_say_how_many_more() -> None:
    many = [
        Alert(
            "announced",
            StrikeFacts(
                id=100 + i,
                topic="nursing",
                unions=("RCN",),
                staff=("nurses",),
                employers=(f"Hospital number {i} NHS Foundation Trust",),
                area_names=("Kent",),
                start=datetime(2026, 2, 1 + i, 8, tzinfo=UTC),
            ),
        )
        for i in range(8)
    ]
    text = compose_sms(many, NOW, LINKS)
    _ok_sms(text)
    assert "more" in text
    tg = compose_telegram(many, NOW, LINKS)
    assert tg.count("Strike announced") == 8


def test_merge_keeps_one_alert_per_strike() -> None:
    merged = merge_alerts(
        [Alert("announced", NURSES), Alert("changed", NURSES), Alert("reminder", AMBULANCE)]
    )
    assert [(a.kind, a.strike.id) for a in merged] == [("announced", 12), ("reminder", 13)]
    merged = merge_alerts([Alert("changed", NURSES), Alert("called_off", NURSES)])
    assert [a.kind for a in merged] == ["called_off"]
    composed = compose_message(
        "sms", [Alert("announced", NURSES), Alert("changed", NURSES)], NOW, LINKS
    )
    assert composed.alert_count == 1 and composed.strike_ids == (12,)
    assert composed.text.startswith("STRIKE: ")


def test_feed_text_with_curly_quotes_and_emoji_stays_gsm() -> None:
    odd = StrikeFacts(
        id=7,
        topic="other_nhs",
        unions=("Unison\u2019s \U0001f6a8 members",),
        employers=("Ysbyty Gw\u0175ynedd \u2013 Bangor",),
        area_names=("Ynys M\u00f4n",),
        start=NURSES.start,
        end=NURSES.end,
    )
    text = compose_sms([Alert("announced", odd)], NOW, LINKS)
    _ok_sms(text)
    assert "Unison's ? members" in text and "Ysbyty Gwwynedd - Bangor" in text


def test_absurdly_long_names_are_cut_but_keep_when_and_stop() -> None:
    long = StrikeFacts(
        id=8,
        topic="nursing",
        unions=("U" * 120,),
        staff=("s " * 80,),
        employers=("E " * 150,),
        area_names=tuple(f"Area {i}" for i in range(60)),
        start=NURSES.start,
        end=NURSES.end,
    )
    text = compose_sms([Alert("announced", long)], NOW, LINKS)
    _ok_sms(text)
    assert "Wed 14 Jan, 00:01-23:59" in text


def test_no_public_address_links_to_the_source_and_skips_long_links() -> None:
    text = compose_sms([Alert("announced", NURSES)], NOW, Links(None))
    assert "https://www.rcn.org.uk/news/strike-dates" in text
    long = replace(NURSES, details_url="https://x.example/" + "a" * 120)
    assert "x.example" not in compose_sms([Alert("announced", long)], NOW, Links(None))


def test_non_health_topics_get_their_own_advice() -> None:
    rail = StrikeFacts(
        id=9,
        topic="transport",
        unions=("RMT",),
        staff=("rail workers",),
        start=NURSES.start,
        end=NURSES.end,
    )
    text = compose_sms([Alert("announced", rail)], NOW, LINKS)
    assert "999" not in text and "travel" in text


def test_telegram_is_html_with_escaped_values_and_sources() -> None:
    evil = replace(NURSES, unions=("<script>A&B</script>",))
    tg = compose_telegram([Alert("announced", evil)], NOW, LINKS)
    assert "&lt;script&gt;A&amp;B&lt;/script&gt;" in tg and "<script>" not in tg
    assert '<a href="https://www.rcn.org.uk/news/strike-dates">RCN news</a>' in tg
    assert '<a href="https://strikealerts.example/strikes/12">Details</a>' in tg
    assert f"<b>Services:</b> {TOPICS['nursing']} - Leeds Teaching Hospitals NHS Trust" in tg
    assert "Wed 14 Jan, 00:01-23:59 (UK time)" in tg
    assert "call 999" in tg and "/stop" in tg


def test_every_kind_composes_on_both_channels() -> None:
    for kind in ("announced", "changed", "called_off", "reminder"):
        sms = compose_message("sms", [Alert(kind, NURSES)], NOW, LINKS)
        assert sms.segments is not None and sms.segments <= 2
        tg = compose_message("telegram", [Alert(kind, NURSES)], NOW, LINKS)
        assert "RCN nurses" in tg.text and len(tg.text) <= 4096


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(ComposeError, match="unknown alert kind 'strike'"):
        Alert("strike", NURSES)
    with pytest.raises(ComposeError, match="no alerts"):
        compose_sms([], NOW)
    with pytest.raises(ComposeError, match="channel 'fax'"):
        compose_message("fax", [Alert("announced", NURSES)], NOW)


def test_sms_templates_are_gsm() -> None:
    strings = [
        *T.SMS_HEAD.values(),
        T.SMS_GROUP_HEAD,
        *T.SMS_GROUP_LABEL.values(),
        T.SMS_STOP,
        T.SMS_MORE,
        T.SMS_WAS,
        *T.ADVICE_FULL.values(),
        *T.ADVICE_SHORT.values(),
        T.ADVICE_CALLED_OFF,
        T.WHEN_TBC,
        T.WHEN_ALL_DAY,
    ]
    assert all(is_gsm(s) for s in strings)


_names = st.text(min_size=0, max_size=90)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["announced", "changed", "called_off", "reminder"]),
    unions=st.lists(_names, max_size=3),
    employers=st.lists(_names, max_size=4),
    areas=st.lists(_names, max_size=6),
    topic=st.sampled_from(sorted(TOPICS)),
    count=st.integers(min_value=1, max_value=4),
    hours=st.integers(min_value=-30, max_value=2000),
)
def test_any_facts_give_a_gsm_sms_within_two_segments(
    kind: str,
    unions: list[str],
    employers: list[str],
    areas: list[str],
    topic: str,
    count: int,
    hours: int,
) -> None:
    from datetime import timedelta

    alerts = [
        Alert(
            kind,
            StrikeFacts(
                id=i,
                topic=topic,
                unions=tuple(unions),
                employers=tuple(employers),
                area_names=tuple(areas),
                start=NOW + timedelta(hours=hours + i),
                end=NOW + timedelta(hours=hours + i + 12),
            ),
        )
        for i in range(count)
    ]
    _ok_sms(compose_sms(alerts, NOW, LINKS))
    assert len(compose_telegram(alerts, NOW, LINKS)) <= 4096


def test_short_notice_announcement_says_tomorrow() -> None:
    evening = datetime(2026, 1, 13, 19, 30, tzinfo=UTC)  # after the 18:00 reminder time
    text = compose_sms([Alert("announced", NURSES)], evening, LINKS)
    assert text.startswith("STRIKE TOMORROW: RCN nurses")
    tg = compose_telegram([Alert("announced", NURSES)], evening, LINKS)
    assert "<b>Strike tomorrow</b> (just announced)" in tg
    assert compose_sms([Alert("announced", NURSES)], NOW, LINKS).startswith("STRIKE: ")


class _TagCheck(HTMLParser):
    """Telegram accepts only a few tags and rejects a message whose tags do not nest."""

    ALLOWED = frozenset({"b", "i", "a"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.ALLOWED:
            self.bad.append(tag)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.bad.append(f"/{tag}")


@settings(max_examples=100, deadline=None)
@given(
    unions=st.lists(st.text(max_size=40), max_size=3),
    areas=st.lists(st.text(max_size=40), max_size=3),
    url=st.text(max_size=40),
    kind=st.sampled_from(["announced", "changed", "called_off"]),
)
def test_telegram_html_is_always_well_formed(
    unions: list[str], areas: list[str], url: str, kind: str
) -> None:
    facts = replace(
        NURSES,
        unions=tuple(unions),
        area_names=tuple(areas),
        sources=(Source(url, "https://example.org/" + url),),
    )
    checker = _TagCheck()
    checker.feed(compose_telegram([Alert(kind, facts)], NOW, LINKS))
    checker.close()
    assert checker.bad == [] and checker.stack == []


def test_staff_read_at_a_sentence_start_reads_naturally_after_the_union() -> None:
    from notifier.compose import StrikeFacts, who

    facts = StrikeFacts(id=1, topic="ambulance", unions=("Unison",), staff=("Ambulance workers",))
    assert who(facts) == "Unison ambulance workers"
    named = StrikeFacts(id=2, topic="nursing", unions=("RCN",), staff=("Scottish nurses",))
    assert who(named) == "RCN Scottish nurses"
