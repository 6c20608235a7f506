"""Parsing inbound texts and the replies we send: every keyword, any case, stray spaces."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.topics import HEALTH_TOPICS, TOPICS
from notifier.gsm import is_gsm, segment_count
from subscribers import sms_commands as sms
from subscribers.sms_commands import Kind, parse_sms


@pytest.mark.parametrize(
    "body",
    [
        "STOP",
        "stop",
        "  Stop  ",
        "STOPALL",
        "stop all",
        "Unsubscribe",
        "cancel",
        "END",
        "quit",
        "Stop.",
        "STOP please",
    ],
)
def test_stop_words_stop(body: str) -> None:
    assert parse_sms(body).kind is Kind.STOP


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("START", Kind.START),
        ("unstop", Kind.START),
        ("HELP", Kind.HELP),
        ("info", Kind.HELP),
        ("yes", Kind.YES),
        (" Y ", Kind.YES),
        ("Yes!", Kind.YES),
        ("next", Kind.NEXT),
        ("FORGET", Kind.FORGET),
        ("forget me", Kind.FORGET),
        ("TOPICS", Kind.TOPICS),
        ("what is this", Kind.UNKNOWN),
        ("", Kind.UNKNOWN),
        ("   ", Kind.UNKNOWN),
        ("start the strike", Kind.UNKNOWN),
    ],
)
def test_keywords(body: str, kind: Kind) -> None:
    command = parse_sms(body)
    assert command.kind is kind
    assert command.error is None


@pytest.mark.parametrize(
    ("body", "postcode"),
    [
        ("sw1a 1aa", "SW1A 1AA"),
        ("  SW1A   1AA ", "SW1A 1AA"),
        ("SW1A1AA", "SW1A1AA"),
        ("ls1", "LS1"),
        ("JOIN m1 1ae", "M1 1AE"),
        ("join   LS1 4DY", "LS1 4DY"),
    ],
)
def test_bare_postcode_or_join_starts_signup(body: str, postcode: str) -> None:
    command = parse_sms(body)
    assert command.kind is Kind.JOIN
    assert command.postcode == postcode


def test_change_and_join_need_a_postcode() -> None:
    change = parse_sms("change  ls1 4dy")
    assert (change.kind, change.postcode) == (Kind.CHANGE, "LS1 4DY")
    for body in ("CHANGE", "join"):
        command = parse_sms(body)
        assert command.error is not None
        assert "postcode" in command.error


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("TOPICS nurses doctors", ("nursing", "doctors")),
        ("topics ALL", tuple(TOPICS)),
        ("Topics health, trains", (*HEALTH_TOPICS, "transport")),
        ("TOPICS schools and councils", ("education", "councils")),
        ("topics ambulance", ("ambulance",)),
    ],
)
def test_topics(body: str, expected: tuple[str, ...]) -> None:
    command = parse_sms(body)
    assert command.kind is Kind.TOPICS
    assert command.topics == expected


def test_unknown_topic_is_named_in_the_error() -> None:
    command = parse_sms("TOPICS plumbers")
    assert command.kind is Kind.TOPICS
    assert command.error is not None and "PLUMBERS" in command.error


@pytest.mark.parametrize(
    ("body", "at"),
    [
        ("REMIND 7PM", "19:00"),
        ("remind 7 pm", "19:00"),
        ("remind 7.30pm", "19:30"),
        ("REMIND 18:30", "18:30"),
        ("remind 0900", "09:00"),
        ("remind 12am", "00:00"),
        ("remind 12pm", "12:00"),
        ("remind noon", "12:00"),
    ],
)
def test_remind_times(body: str, at: str) -> None:
    command = parse_sms(body)
    assert command.kind is Kind.REMIND
    assert command.remind_at == at


@pytest.mark.parametrize("body", ["REMIND", "remind 25:00", "remind 13pm", "remind later"])
def test_bad_remind_times_explain_the_format(body: str) -> None:
    command = parse_sms(body)
    assert command.kind is Kind.REMIND
    assert command.error is not None and "REMIND 7PM" in command.error


def test_replies_are_gsm7_and_one_segment() -> None:
    replies = [
        sms.reply_confirm("SW1A 1AA", "Westminster"),
        sms.reply_confirm("SW1A 1AA", "Bournemouth, Christchurch and Poole and somewhere long"),
        sms.reply_activated(["SW1A 1AA", "LS1 4DY", "M1 1AE"], "18:00"),
        sms.reply_already_active(["SW1A 1AA"]),
        sms.reply_nothing_to_confirm(),
        sms.reply_stopped(),
        sms.reply_stopped_cannot_join(),
        sms.reply_resumed(["SW1A 1AA", "LS1 4DY", "M1 1AE"]),
        sms.reply_not_subscribed(),
        sms.reply_help(),
        sms.reply_unknown(),
        sms.reply_changed(["LS1 4DY"]),
        sms.reply_added(["SW1A 1AA", "LS1 4DY", "M1 1AE"]),
        sms.reply_too_many_postcodes(3),
        sms.reply_topics(list(TOPICS)),
        sms.reply_topics(["nursing"]),
        sms.reply_topics_set(HEALTH_TOPICS),
        sms.reply_remind_set("19:30"),
        sms.reply_forgotten(),
        sms.reply_next([]),
    ]
    for reply in replies:
        assert is_gsm(reply), reply
        assert segment_count(reply) == 1, (len(reply), reply)


def test_next_reply_keeps_to_two_segments() -> None:
    lines = [
        f"Tue {d} Dec 7am to Thu {d + 2} Dec 7am: RCN nurses, Leeds Teaching Hospitals"
        for d in range(1, 10)
    ]
    reply = sms.reply_next(lines)
    assert reply.startswith("Next strikes:")
    assert lines[0] in reply
    assert segment_count(reply) <= 2


def test_say_time() -> None:
    assert sms.say_time("19:00") == "7pm"
    assert sms.say_time("00:30") == "12:30am"
    assert sms.say_time("12:00") == "12pm"


def test_long_postcode_errors_are_cut_to_one_segment() -> None:
    long = (
        "ZZ1 1ZZ looks like a postcode but is not in the ONS postcode directory. It may be "
        "mistyped or too new, so check it, or send just the first part (e.g. ZZ1) instead please."
    )
    reply = sms.reply_postcode_problem(long)
    assert reply.startswith("ZZ1 1ZZ looks like a postcode") and "LS1 4DY" in reply
    assert segment_count(reply) == 1
    assert sms.reply_postcode_problem("Bad postcode.") == "Bad postcode."


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_without_error(body: str) -> None:
    command = parse_sms(body)
    assert command.kind in Kind
    if command.kind in (Kind.JOIN, Kind.CHANGE) and command.error is None:
        assert command.postcode
    if command.kind is Kind.REMIND and command.error is None:
        assert command.remind_at is not None and len(command.remind_at) == 5


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 23), st.integers(0, 59))
def test_every_time_round_trips(hour: int, minute: int) -> None:
    hhmm = f"{hour:02d}:{minute:02d}"
    assert sms.parse_time(hhmm) == hhmm
    assert sms.parse_time(sms.say_time(hhmm)) == hhmm
