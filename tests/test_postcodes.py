"""Postcode validation and the ONS postcode index, checked against the real directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subscribers.postcode_index import (
    PostcodeIndex,
    build_index,
    get_index,
    ons_form,
    source_dir,
)
from subscribers.postcodes import (
    ATTRIBUTION,
    InvalidPostcode,
    OutsideServiceArea,
    PostcodeError,
    UnknownPostcode,
    normalise_postcode,
    postcode_districts,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ME1 1AA", "ME1 1AA"),
        ("me11aa", "ME1 1AA"),
        ("  sw1a   2aa ", "SW1A 2AA"),
        ("W1A0AX", "W1A 0AX"),
        ("n19gu", "N1 9GU"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("tn22", "TN22"),
        ("SW1A", "SW1A"),
        ("B1", "B1"),
        ("ME1\u00a01AA", "ME1 1AA"),
    ],
)
def test_normalise_accepts_any_case_and_spacing(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "   ", "12345", "hello", "ME1 1A", "ME1 1CA", "1ME 1AA", "ME1 1AAA", "ABC1 1AA"]
)
def test_normalise_rejects_non_postcodes_with_an_example(raw: str) -> None:
    with pytest.raises(InvalidPostcode) as err:
        normalise_postcode(raw)
    assert "ME1 1AA" in str(err.value)
    assert isinstance(err.value, PostcodeError)


def test_bfpo_is_explained() -> None:
    with pytest.raises(InvalidPostcode, match="British Forces"):
        normalise_postcode("BFPO 123")


def test_ons_form_pads_the_outward_code_to_four() -> None:
    assert ons_form("N1 9GU") == "N1  9GU"
    assert ons_form("ME1 1AA") == "ME1 1AA"
    assert ons_form("SW1A 2AA") == "SW1A2AA"


def test_index_holds_the_whole_directory(postcode_index: PostcodeIndex) -> None:
    assert postcode_index.count == 2_720_556
    assert "November 2025" in postcode_index.header["vintage"]
    assert postcode_index.get("SW1A 2AA") == "E09000033"  # Westminster
    assert postcode_index.get("ME1 1AA") == "E06000035"  # Medway
    assert postcode_index.get("N1 9GU") == "E09000019"  # Islington, short outward code
    assert postcode_index.get("ZZ9 9ZZ") is None


def test_first_and_last_postcodes_are_found(postcode_index: PostcodeIndex) -> None:
    import brotli
    import msgpack

    for name in ("postcodes_A.msgpack.br", "postcodes_Z.msgpack.br"):
        data = msgpack.unpackb(brotli.decompress((source_dir() / name).read_bytes()))["data"]
        for pcd, lad in list(zip(data["pcd"], data["laua"], strict=True))[
            :: max(1, len(data["pcd"]) // 50)
        ]:
            postcode = normalise_postcode(pcd)
            expected = lad if isinstance(lad, str) else ""
            assert postcode_index.get(postcode) == expected, pcd


def test_outward_code_maps_to_every_district_it_touches(
    postcode_index: PostcodeIndex,
) -> None:
    assert set(postcode_index.outward_districts("TN22")) == {"E07000063", "E07000065"}
    # CH4 straddles the Welsh border: Cheshire West and Chester, and Flintshire.
    assert set(postcode_index.outward_districts("CH4")) == {"E06000050", "W06000005"}


def test_unknown_postcode_is_not_invalid(postcode_index: PostcodeIndex) -> None:
    with pytest.raises(UnknownPostcode, match="ME1") as err:
        postcode_districts("ME1 9ZZ", index=postcode_index)
    assert "not in the ONS postcode directory" in str(err.value)
    with pytest.raises(UnknownPostcode):
        postcode_districts("ZZ99", index=postcode_index)


@pytest.mark.parametrize("raw", ["GY1 1AA", "JE2 3AA", "IM1 1AA", "GY1", "im2"])
def test_crown_dependencies_are_outside_the_service(
    raw: str,
    postcode_index: PostcodeIndex,
) -> None:
    with pytest.raises(OutsideServiceArea, match="does not cover"):
        postcode_districts(raw, index=postcode_index)


def test_postcode_without_district_uses_its_sector(postcode_index: PostcodeIndex) -> None:
    assert postcode_index.get("YO7 9AE") == ""  # in the directory, no grid reference
    postcode, districts = postcode_districts("YO7 9AE", index=postcode_index)
    assert postcode == "YO7 9AE"
    assert districts == list(postcode_index.sector_districts("YO7 9"))
    assert districts  # North Yorkshire


def _one_file_source(tmp_path: Path, letter: str) -> Path:
    directory = tmp_path / f"src_{letter}"
    directory.mkdir()
    shutil.copy(source_dir() / f"postcodes_{letter}.msgpack.br", directory)
    return directory


def test_broken_index_file_is_rebuilt(tmp_path: Path) -> None:
    shetland = _one_file_source(tmp_path, "Z")  # ZE: Shetland, a few hundred postcodes
    target = tmp_path / "postcodes.idx"
    target.write_bytes(b"not an index")
    index = get_index(target, directory=shetland)
    assert index.count > 500
    assert index.get("ZE1 0LL") == "S12000027"  # Lerwick, Shetland Islands
    assert get_index(target, directory=shetland) is index  # opened once per process


def test_index_from_other_data_is_rebuilt(tmp_path: Path) -> None:
    target = tmp_path / "postcodes.idx"
    build_index(target, _one_file_source(tmp_path, "J"))
    assert PostcodeIndex(target).get("ZE1 0LL") is None
    index = get_index(target, directory=_one_file_source(tmp_path, "Z"))
    assert index.get("ZE1 0LL") == "S12000027"


def test_build_reports_what_it_wrote(tmp_path: Path) -> None:
    small = tmp_path / "src"
    small.mkdir()
    shutil.copy(source_dir() / "postcodes_J.msgpack.br", small)
    stats = build_index(tmp_path / "j.idx", small)
    assert stats.bytes == (tmp_path / "j.idx").stat().st_size
    assert PostcodeIndex(tmp_path / "j.idx").count == stats.postcodes > 0


def test_attribution_names_every_source() -> None:
    for source in ("Office for National Statistics", "OS data", "Royal Mail", "NRS", "LPS"):
        assert source in ATTRIBUTION
    assert "Open Government Licence" in ATTRIBUTION


def test_outward_code_split_into_lettered_parts_gives_their_union(
    postcode_index: PostcodeIndex,
) -> None:
    parts = set()
    for letter in "ABCDEFGHJKLMNPQRSTUVWXY":
        parts |= set(postcode_index.outward_districts(f"SW1{letter}"))
    assert set(postcode_index.outward_districts("SW1")) == parts
    assert "E09000033" in parts  # Westminster


def test_index_path_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from subscribers.postcode_index import default_index_path

    monkeypatch.setenv("POSTCODE_INDEX_PATH", str(tmp_path / "x.idx"))
    assert default_index_path() == tmp_path / "x.idx"


def test_unwritable_index_location_names_the_setting(tmp_path: Path) -> None:
    from subscribers.postcode_index import PostcodeIndexUnavailable

    blocker = tmp_path / "file"
    blocker.write_text("a file where a directory should be")
    with pytest.raises(PostcodeIndexUnavailable, match="POSTCODE_INDEX_PATH"):
        get_index(blocker / "postcodes.idx", directory=_one_file_source(tmp_path, "Z"))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_listed_postcode_however_typed_finds_itself(
    data: st.DataObject,
    postcode_index: PostcodeIndex,
) -> None:
    index = postcode_index
    i = data.draw(st.integers(min_value=0, max_value=index.count - 1))
    key = index._keys[i].decode()
    canonical = f"{key[:4].strip()} {key[4:]}"
    if key.startswith("NPT "):  # pre-1980s Newport form, not accepted as input
        return
    spacing = data.draw(st.sampled_from(["", " ", "  ", "\t"]))
    typed = canonical.replace(" ", spacing)
    typed = data.draw(st.sampled_from([typed, typed.lower(), f" {typed} "]))
    assert normalise_postcode(typed) == canonical
    assert index.get(canonical) is not None
