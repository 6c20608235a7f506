"""GSM-7 checking, normalising and segment counting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notifier.gsm import (
    GsmEncodingError,
    check_gsm,
    is_gsm,
    non_gsm_chars,
    segment_count,
    septets,
    to_gsm,
)


def test_typographic_punctuation_becomes_ascii() -> None:
    text = "\u201cNurses\u2019 strike\u201d \u2013 11\u00a0Jan \u2014 call 111\u2026"
    assert to_gsm(text) == '"Nurses\' strike" - 11 Jan - call 111...'


def test_gsm_letters_survive_and_other_accents_lose_them() -> None:
    assert to_gsm("café Ýnys Môn £5 €3") == "café Ynys Mon £5 €3"
    assert to_gsm("Ysbyty Gŵynedd") == "Ysbyty Gwynedd"


def test_emoji_and_other_scripts_are_replaced() -> None:
    assert to_gsm("Strike \U0001f6a8 now") == "Strike ? now"
    assert to_gsm("Strike \U0001f6a8 now", replacement="") == "Strike  now"
    assert is_gsm(to_gsm("日本 \u200bzero-width"))


def test_check_gsm_names_the_characters() -> None:
    with pytest.raises(GsmEncodingError, match=r"U\+2019"):
        check_gsm("Nurses\u2019 pay")
    assert non_gsm_chars("a\u2019b\u2019c\u201c") == ["\u2019", "\u201c"]
    assert check_gsm("plain [text] {ok}") == "plain [text] {ok}"


def test_segments_for_plain_text() -> None:
    assert segment_count("") == 1
    assert segment_count("a" * 160) == 1
    assert segment_count("a" * 161) == 2
    assert segment_count("a" * 306) == 2
    assert segment_count("a" * 307) == 3


def test_extension_characters_count_double() -> None:
    assert septets("€") == 2
    assert segment_count("€" * 80) == 1
    assert segment_count("a" * 159 + "€") == 2
    # An escape pair is never split: 152 plain + "€" needs 154 septets, so the euro moves on.
    assert segment_count("a" * 152 + "€" + "a" * 152) == 3
    assert segment_count("a" * 151 + "€" + "a" * 153) == 2


def test_non_gsm_text_counts_as_ucs2() -> None:
    assert segment_count("\u2019" * 70) == 1
    assert segment_count("\u2019" + "a" * 70) == 2
    assert segment_count("\U0001f6a8" * 35) == 1  # an emoji is two UTF-16 units


@given(st.text(max_size=400))
def test_to_gsm_always_gives_gsm(text: str) -> None:
    out = to_gsm(text)
    assert is_gsm(out)
    assert to_gsm(out) == out
