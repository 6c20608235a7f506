"""Postcode and area benchmark: index build, warm lookups, resident memory, gazetteer throughput.

Targets: index build under 15 s; a warm postcode -> areas lookup well under 1 ms; the lookup
structure's resident memory at most 60 MB; the gazetteer fast enough for detection to handle
at least 100 articles of 500 words per second overall.

    .venv/bin/python bench/bench_postcodes.py [--lookups 20000] [--json]

The build runs in this process; memory is measured in a fresh child process that only opens the
built index and performs lookups (so the build's temporary lists are not counted).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_CHILD = r"""
import json, random, sys, time
sys.path.insert(0, sys.argv[1])

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")

from subscribers import areas, gazetteer, postcodes  # noqa: F401  (imports before baseline)
from subscribers.postcode_index import PostcodeIndex
areas._table()
before = rss_mb()
index = PostcodeIndex(__import__("pathlib").Path(sys.argv[2]))
keys = json.loads(open(sys.argv[3]).read())
t0 = time.perf_counter()
for pc in keys:
    areas.resolve_postcode(pc, index=index)
elapsed = time.perf_counter() - t0
# Touch every page of the index once: the worst case for resident memory.
mm = index._mm
total = 0
for at in range(0, len(mm), 4096):
    total += mm[at]
after = rss_mb()
print(json.dumps({"baseline_mb": before, "after_mb": after, "lookups": len(keys),
                  "seconds": elapsed}))
"""


def _sample_postcodes(index: object, n: int, seed: int = 7) -> list[str]:
    from subscribers.postcode_index import KEY_LEN
    from subscribers.postcodes import PostcodeError, normalise_postcode

    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        i = rng.randrange(index.count)  # type: ignore[attr-defined]
        key = index._keys[i].decode()  # type: ignore[attr-defined]
        postcode = f"{key[: KEY_LEN - 3].strip()} {key[-3:]}"
        try:
            normalise_postcode(postcode)  # skips the few 1970s forms such as "NPT 0DT"
        except PostcodeError:
            continue
        if index.get(postcode) not in ("", "L99999999", "M99999999"):  # type: ignore[attr-defined]
            out.append(postcode)
    return out


_ARTICLE = (
    "Paramedics and call handlers at the South East Coast Ambulance Service will walk out on "
    "Tuesday, the union said, in a dispute over pay and staffing. Members at North West "
    "Ambulance Service are also balloting. The action covers Kent, Surrey and Sussex, and the "
    "trust said patients in Medway should still call 999 in an emergency. Nurses in the West "
    "Midlands and doctors across England and Wales are considering further action after talks "
    "with ministers broke down. The employer said it was disappointed and urged the union to "
    "return to talks so that services for patients are protected during the winter months. "
)


def _article(words: int = 500) -> str:
    filler = (
        "The union said its members had been left with no choice after months of talks that "
        "produced no improved offer on pay, staffing levels or working conditions this year. "
    )
    text = _ARTICLE
    while len(text.split()) < words:
        text += filler
    return " ".join(text.split()[:words])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=20000)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()

    from subscribers.areas import resolve_postcode
    from subscribers.gazetteer import build_gazetteer
    from subscribers.postcode_index import PostcodeIndex, build_index

    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "postcodes.idx"
        stats = build_index(path)
        results["build_seconds"] = round(stats.seconds, 2)
        results["index_mb"] = round(stats.bytes / 1e6, 1)
        results["postcodes"] = stats.postcodes

        t0 = time.perf_counter()
        index = PostcodeIndex(path)
        results["open_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        sample = _sample_postcodes(index, args.lookups)
        for pc in sample[:2000]:  # warm the area table and the index pages
            resolve_postcode(pc, index=index)
        times = []
        for pc in sample:
            t = time.perf_counter_ns()
            resolve_postcode(pc, index=index)
            times.append(time.perf_counter_ns() - t)
        times.sort()
        results["lookup_full_mean_us"] = round(statistics.fmean(times) / 1000, 1)
        results["lookup_full_p99_us"] = round(times[int(len(times) * 0.99)] / 1000, 1)
        outwards = [pc.split()[0] for pc in sample[:5000]]
        start = time.perf_counter()
        for o in outwards:
            resolve_postcode(o, index=index)
        results["lookup_outward_mean_us"] = round(
            (time.perf_counter() - start) / len(outwards) * 1e6, 1
        )
        start = time.perf_counter()
        for pc in sample:
            index.get(pc)
        results["index_get_mean_us"] = round((time.perf_counter() - start) / len(sample) * 1e6, 1)

        sample_file = Path(tmp) / "sample.json"
        sample_file.write_text(json.dumps(sample[:20000]))
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, str(ROOT), str(path), str(sample_file)],
            capture_output=True,
            text=True,
            check=True,
        )
        mem = json.loads(child.stdout)
        results["rss_baseline_mb"] = round(mem["baseline_mb"], 1)
        results["rss_with_index_all_pages_mb"] = round(mem["after_mb"], 1)
        results["rss_index_delta_mb"] = round(mem["after_mb"] - mem["baseline_mb"], 1)
        index.close()

    start = time.perf_counter()
    gazetteer = build_gazetteer()
    results["gazetteer_build_ms"] = round((time.perf_counter() - start) * 1000, 1)
    article = _article(500)
    n = 300
    start = time.perf_counter()
    for _ in range(n):
        gazetteer.find(article)
    per = (time.perf_counter() - start) / n
    results["gazetteer_ms_per_500_word_article"] = round(per * 1000, 2)
    results["gazetteer_articles_per_second"] = round(1 / per)

    if args.json:
        print(json.dumps(results, indent=2))
        return
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
