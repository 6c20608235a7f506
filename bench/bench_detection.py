"""Strike detection throughput: articles of about 500 words per second on one core.

Target: at least 100 articles per second, so a backlog of 10,000 articles clears in under two
minutes. The articles are generated here (strike news, near-misses and unrelated news, with the
date, time and list phrasing real reports use) so the figure does not depend on any corpus.

    .venv/bin/python bench/bench_detection.py [--articles 400] [--no-places]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.db_types import UK_TZ
from feeds.detection import ArticleInput, detect
from feeds.detection.types import PlaceFinder

UNIONS = ["GMB", "Unite", "Unison", "the Royal College of Nursing", "the BMA", "the RMT", "the NEU"]
STAFF = ["ambulance workers", "nurses", "junior doctors", "train drivers", "teachers", "porters"]
PLACES = ["South East Coast Ambulance Service", "the North West", "Kent", "Wales", "London"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July"]
FILLER = [
    "The dispute centres on pay, staffing levels and the cost of living for members.",
    "Ministers said the demands were unaffordable but that their door remained open to talks.",
    "Patients were asked to use NHS 111 online and only call 999 in an emergency.",
    "Hospital bosses said planned operations would be rescheduled where necessary.",
    '"We have been left with no choice," a spokesperson said outside the hospital.',
    "Opposition politicians called on the government to return to the negotiating table.",
    "Local services have published contingency plans on their websites for the public.",
    "Earlier this year the union balloted its members and met the legal turnout threshold.",
    "The health secretary met union leaders yesterday afternoon for what were called crunch talks.",
    "Commuters were warned to check before they travel and to expect severe disruption.",
]


def strike_sentences(rng: random.Random) -> list[str]:
    union, staff, place = rng.choice(UNIONS), rng.choice(STAFF), rng.choice(PLACES)
    month = rng.choice(MONTHS)
    d1, d2 = rng.randint(1, 14), rng.randint(15, 28)
    return [
        f"{staff.capitalize()} in {union} will walk out on {d1} and {d2} {month}.",
        f"The action at {place} runs from 7am on {month} {d1} until 7am the next day.",
        f"A 48-hour strike will begin at 8pm on Thursday, {union} confirmed today.",
        f"The first day of industrial action took place on {d1} December.",
        f"- {rng.choice(PLACES)}: {month} {d1} and {d2}",
        f"Members could call off the strike if a new offer is made before {month} {d2}.",
    ]


def make_article(rng: random.Random, words: int = 500) -> ArticleInput:
    kind = rng.random()
    sentences: list[str] = []
    if kind < 0.6:
        sentences += strike_sentences(rng)
        title = f"{rng.choice(STAFF).capitalize()} announce new strike dates"
    elif kind < 0.8:
        sentences.append("A lightning strike hit a church spire during storms on Tuesday night.")
        title = "Lightning strike damages church"
    else:
        title = "NHS waiting list grows again"
    text_words = sum(len(s.split()) for s in sentences)
    while text_words < words:
        sentence = rng.choice(FILLER)
        sentences.append(sentence)
        text_words += len(sentence.split())
    rng.shuffle(sentences)
    body = "\n".join(" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3))
    published = datetime(2023, 1, 2, 9, 0, tzinfo=UK_TZ) + timedelta(days=rng.randint(0, 360))
    return ArticleInput(title=title, text=body, published=published)


def run(n: int, places: PlaceFinder | None, rounds: int = 5) -> tuple[float, float, float, int]:
    """Median and slowest rate by CPU time of this process (one core, whatever else the machine
    runs), the median by wall clock, and the mean article length in words."""
    rng = random.Random(20240101)
    articles = [make_article(rng) for _ in range(n)]
    words = statistics.mean(len(a.text.split()) for a in articles)
    detect(articles[0], places)  # warm caches and compiled patterns
    cpu_rates, wall_rates = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for article in articles:
            detect(article, places)
        cpu_rates.append(n / (time.process_time() - cpu))
        wall_rates.append(n / (time.perf_counter() - wall))
    return statistics.median(cpu_rates), min(cpu_rates), statistics.median(wall_rates), int(words)


def worst_case_ms(places: PlaceFinder | None) -> float:
    """A malformed item: one 20,000-character run-on sentence of weekdays and numbers."""
    text = "Members will strike on " + " and ".join(
        f"Monday {n % 28 + 1}" if n % 2 else "Friday" for n in range(2_000)
    )
    article = ArticleInput(title="Strike", text=text, published=datetime(2023, 1, 2, tzinfo=UK_TZ))
    start = time.process_time()
    detect(article, places)
    return (time.process_time() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--no-places", action="store_true", help="skip the area gazetteer")
    args = parser.parse_args()
    places: PlaceFinder | None = None
    if not args.no_places:
        from subscribers.gazetteer import load_gazetteer

        places = load_gazetteer()
    median, worst, wall, words = run(args.articles, places)
    print(
        f"strike detection: {args.articles} articles of ~{words} words, "
        f"gazetteer {'off' if places is None else 'on'}"
    )
    print(f"  CPU time, one core: median {median:.0f} articles/s, slowest round {worst:.0f}/s")
    print(f"  wall clock (shared machine): median {wall:.0f} articles/s")
    print(f"  10,000 articles in {10_000 / median:.0f} s of CPU (target: >= 100 articles/s)")
    print(f"  worst case, a 20,000-character run-on sentence: {worst_case_ms(places):.0f} ms")
    if median < 100:
        raise SystemExit("below target: fewer than 100 articles per second")


if __name__ == "__main__":
    main()
