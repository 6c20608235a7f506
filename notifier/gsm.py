"""GSM 03.38 (GSM-7) text: checking, normalising and counting SMS segments.

One character outside GSM-7 makes the whole message UCS-2, which cuts a segment from 160 to 70
characters and can triple the cost of an alert. Feed text is full of curly quotes, dashes and
non-breaking spaces, so everything that goes into an SMS passes through :func:`to_gsm`.
"""

from __future__ import annotations

import unicodedata

# The default alphabet (3GPP TS 23.038), without the escape code itself.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (escape + character).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE_SEGMENT_SEPTETS = 160
MULTIPART_SEGMENT_SEPTETS = 153  # 7 septets go to the concatenation header
UCS2_SINGLE = 70
UCS2_MULTIPART = 67

_REPLACEMENTS: dict[str, str] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "`": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u00ad": "",
    "\u00a0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u2007": " ",
    "\u2008": " ",
    "\u205f": " ",
    "\u3000": " ",
    "\t": " ",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u2026": "...",
    "\u2022": "-",
    "\u00b7": "-",
    "\u2023": "-",
    "\u25cf": "-",
    "\u00d7": "x",
    "\u2122": "TM",
    "\u00a9": "(c)",
    "\u00ae": "(R)",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u00bd": "1/2",
    "\u00bc": "1/4",
    "\u00be": "3/4",
    "\u2028": "\n",
    "\u2029": "\n",
}


class GsmEncodingError(ValueError):
    """Text cannot go out as GSM-7; the message lists the characters that would force UCS-2."""


def is_gsm(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def non_gsm_chars(text: str) -> list[str]:
    """The distinct characters that are not GSM-7, in order of first appearance."""
    seen: dict[str, None] = {}
    for c in text:
        if c not in GSM7_BASIC and c not in GSM7_EXTENSION:
            seen.setdefault(c, None)
    return list(seen)


def check_gsm(text: str) -> str:
    """Return ``text`` unchanged if it is GSM-7, else raise naming the offending characters."""
    bad = non_gsm_chars(text)
    if bad:
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in bad)
        raise GsmEncodingError(f"not GSM-7, would force UCS-2: {shown}")
    return text


def to_gsm(text: str, *, replacement: str = "?") -> str:
    """Map text to GSM-7: typographic punctuation to ASCII, accents dropped where GSM lacks them.

    Characters with no sensible equivalent (emoji, other scripts) become ``replacement``; pass
    ``replacement=""`` to drop them.
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    out: list[str] = []
    for c in text:
        if c in GSM7_BASIC or c in GSM7_EXTENSION:
            out.append(c)
            continue
        mapped = _REPLACEMENTS.get(c)
        if mapped is not None:
            out.append(mapped)
            continue
        # Letters with accents GSM lacks (á, ŵ, ł...): keep the base letter.
        base = "".join(
            ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch)
        )
        if base and all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in base):
            out.append(base)
        elif unicodedata.category(c).startswith("Z"):
            out.append(" ")
        elif unicodedata.category(c) in ("Cf", "Mn", "Me"):
            continue  # invisible formatting and stray combining marks
        else:
            out.append(replacement)
    return "".join(out)


def septets(text: str) -> int:
    """GSM-7 length in septets (extension characters count two). Text must be GSM-7."""
    check_gsm(text)
    return sum(2 if c in GSM7_EXTENSION else 1 for c in text)


def segment_count(text: str) -> int:
    """How many SMS segments ``text`` needs, as a carrier counts (and bills) them.

    GSM-7 text fits 160 septets in one segment, else 153 per segment, and an escape pair is never
    split across two segments. Non-GSM text is counted as UCS-2 (70, else 67 UTF-16 units).
    """
    if not text:
        return 1
    if not is_gsm(text):
        units = len(text.encode("utf-16-le")) // 2
        if units <= UCS2_SINGLE:
            return 1
        return -(-units // UCS2_MULTIPART)
    total = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    if total <= SINGLE_SEGMENT_SEPTETS:
        return 1
    segments, used = 1, 0
    for c in text:
        size = 2 if c in GSM7_EXTENSION else 1
        if used + size > MULTIPART_SEGMENT_SEPTETS:
            segments += 1
            used = 0
        used += size
    return segments
