"""Cheap text checks run on every entry before anything expensive.

``looks_like_strike_news`` decides whether an entry is worth a full-page fetch and counts as a
"strike candidate"; ``mentions_dates`` decides whether its summary already carries the dates.
Both are deliberately generous: a false positive costs one page fetch, a false negative can cost
a missed alert. Detection proper happens later on the full text.
"""

from __future__ import annotations

import re

_STRIKE_WORDS = re.compile(
    r"\b(?:strik(?:e|es|ing)|walk(?:-|\s)?outs?|walk(?:ed|ing)?\s+out|industrial\s+action|"
    r"picket(?:s|ing|\s+lines?)?|work(?:-|\s)to(?:-|\s)rule|overtime\s+ban|"
    r"(?:strike|industrial)\s+ballot|stoppages?)\b",
    re.IGNORECASE,
)

# Uses of "strike" that are not industrial action. Removed before the positive search, so
# "hunger strike" alone does not count but "hunger strike as nurses strike" still does.
_NOT_INDUSTRIAL = re.compile(
    r"\b(?:air|drone|missile|military|nuclear|rocket|israeli|russian|us|pre-?emptive|first|"
    r"lightning|hunger|bird|tactical|retaliatory|precision)\s*-?\s*strikes?\b"
    r"|\bstrik(?:e|es|ing)\s+(?:an?|the)\s+(?:deal|balance|chord|note|tone|pose|match|blow|bargain)"
    r"|\bstrik(?:e|es|ing)\s+(?:gold|oil|lucky|back|home|up\s+a)\b"
    r"|\bstrike\s+(?:rate|force|zone|price|partner|team)\b"
    r"|\bstrikers?\b",
    re.IGNORECASE,
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATES = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:(?:and|to|-|–)\s+\d{1,2}(?:st|nd|rd|th)?\s+)?(?:of\s+)?"
    + _MONTH
    + r"\b"
    + r"|\b"
    + _MONTH
    + r"\s+\d{1,2}(?:st|nd|rd|th)?\b"
    + r"|\b(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b"
    + r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
    + r"|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)


def looks_like_strike_news(title: str, text: str) -> bool:
    """True when the title or text talks about industrial action (strikes, walkouts, pickets)."""
    combined = f"{title}\n{text}"
    if _STRIKE_WORDS.search(combined) is None:  # the common case, and the cheap test
        return False
    cleaned = _NOT_INDUSTRIAL.sub(" ", combined)
    return _STRIKE_WORDS.search(cleaned) is not None


def mentions_dates(text: str) -> bool:
    """True when the text names a calendar day (a date or a weekday), not just "soon"."""
    return _DATES.search(text) is not None
