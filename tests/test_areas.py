"""Postcodes resolve to ancestor-complete area sets, checked against facts anyone can look up."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from config.topics import AREA_TYPES
from subscribers.areas import (
    AREAS_DIR,
    ENGLAND_AND_WALES,
    GREAT_BRITAIN,
    UK,
    AreaDataError,
    all_areas,
    area,
    areas_meet,
    load_area_table,
    resolve_postcode,
    seed_areas,
)
from subscribers.models import Area
from subscribers.postcode_index import PostcodeIndex

ENGLAND, WALES, SCOTLAND, NI = "E92000001", "W92000004", "S92000003", "N92000002"
SECAMB, SCAS, NWAS, EMAS, LAS, EEAST = "RYD", "RYE", "RX7", "RX9", "RRU", "RYC"


def codes(postcode: str, index: PostcodeIndex) -> frozenset[str]:
    return resolve_postcode(postcode, index=index).codes


def of_type(postcode: str, index: PostcodeIndex, type_: str) -> set[str]:
    return {a.code for a in resolve_postcode(postcode, index=index).areas if a.type == type_}


# One postcode per ambulance service, each a public building whose service is well known.
AMBULANCE_SAMPLES = [
    ("SW1A 2AA", "RRU", "London Ambulance Service NHS Trust"),  # 10 Downing Street
    ("NE1 8QH", "RX6", "North East Ambulance Service NHS Foundation Trust"),  # Newcastle
    ("M60 2LA", "RX7", "North West Ambulance Service NHS Trust"),  # Manchester Town Hall
    ("LS1 1UR", "RX8", "Yorkshire Ambulance Service NHS Trust"),  # Leeds Civic Hall
    ("NG1 5DT", "RX9", "East Midlands Ambulance Service NHS Trust"),  # Nottingham
    ("B1 1BB", "RYA", "West Midlands Ambulance Service University NHS Foundation Trust"),
    ("NR2 1NH", "RYC", "East of England Ambulance Service NHS Trust"),  # Norwich City Hall
    ("ME1 1AA", "RYD", "South East Coast Ambulance Service NHS Foundation Trust"),  # Rochester
    ("SO14 7LY", "RYE", "South Central Ambulance Service NHS Foundation Trust"),  # Southampton
    ("PL1 2AA", "RYF", "South Western Ambulance Service NHS Foundation Trust"),  # Plymouth
    ("PO30 1UD", "R1F", "Isle of Wight NHS Trust"),  # Newport, Isle of Wight
    ("CF10 3ND", "RT4", "Welsh Ambulance Services University NHS Trust"),  # Cardiff
    ("EH1 1YZ", "X-AMB-SCOTLAND", "Scottish Ambulance Service"),  # Edinburgh
    ("BT1 5GS", "X-AMB-NI", "Northern Ireland Ambulance Service Health and Social Care Trust"),
]


@pytest.mark.parametrize(("postcode", "code", "name"), AMBULANCE_SAMPLES)
def test_every_ambulance_service_has_a_postcode(
    postcode: str,
    code: str,
    name: str,
    postcode_index: PostcodeIndex,
) -> None:
    services = [
        a
        for a in resolve_postcode(postcode, index=postcode_index).areas
        if a.type == "ambulance_service"
    ]
    assert [(a.code, a.name) for a in services] == [(code, name)]


def test_all_ambulance_services_are_covered_by_the_samples() -> None:
    services = {a.code for a in all_areas() if a.type == "ambulance_service"}
    assert services == {code for _, code, _ in AMBULANCE_SAMPLES}


def test_me1_gets_secamb_strikes_and_not_north_west(postcode_index: PostcodeIndex) -> None:
    me1 = resolve_postcode("me1 1aa", index=postcode_index)
    assert me1.postcode == "ME1 1AA"
    assert me1.districts == ["E06000035"]
    assert areas_meet(me1.codes, {SECAMB})
    assert not areas_meet(me1.codes, {NWAS})
    names = {a.type: a.name for a in me1.areas}
    assert names["icb"] == "NHS Kent and Medway Integrated Care Board"
    assert names["district"] == "Medway"
    assert names["nhs_region"] == "NHS England South East"


def test_medway_is_not_kent_county_but_maidstone_is(postcode_index: PostcodeIndex) -> None:
    kent_cc = "E10000016"
    medway = codes("ME1 1AA", postcode_index)
    maidstone = codes("ME14 1XQ", postcode_index)
    assert kent_cc not in medway
    assert kent_cc in maidstone and "E07000110" in maidstone
    both_icb = "E54000032"
    assert both_icb in medway and both_icb in maidstone


def test_isle_of_wight_has_its_own_ambulance_service(postcode_index: PostcodeIndex) -> None:
    iow = codes("PO30 1UD", postcode_index)
    assert "R1F" in iow and SCAS not in iow
    assert "E54000042" in iow  # NHS Hampshire and Isle of Wight ICB


def test_north_east_hampshire_is_secamb_rest_of_hampshire_scas(
    postcode_index: PostcodeIndex,
) -> None:
    hampshire = "E10000014"
    farnborough = codes("GU14 6XB", postcode_index)  # Rushmoor
    assert SECAMB in farnborough and SCAS not in farnborough and hampshire in farnborough
    winchester = codes("SO23 8UJ", postcode_index)
    assert SCAS in winchester and SECAMB not in winchester


def test_hart_is_split_at_postcode_level(postcode_index: PostcodeIndex) -> None:
    fleet = resolve_postcode("GU51 3AA", index=postcode_index)
    hook = resolve_postcode("RG27 9LB", index=postcode_index)
    assert fleet.districts == hook.districts == ["E07000089"]
    assert of_type("GU51 3AA", postcode_index, "ambulance_service") == {SECAMB}
    assert of_type("RG27 9LB", postcode_index, "ambulance_service") == {SCAS}
    assert of_type("GU51 3AA", postcode_index, "icb") == {"E54000034"}  # Frimley
    assert of_type("RG27 9LB", postcode_index, "icb") == {"E54000042"}  # Hampshire and IoW


def test_glossop_is_north_west_ambulance_rest_of_high_peak_east_midlands(
    postcode_index: PostcodeIndex,
) -> None:
    glossop = resolve_postcode("SK13 8AF", index=postcode_index)
    buxton = resolve_postcode("SK17 6AA", index=postcode_index)
    assert glossop.districts == buxton.districts == ["E07000037"]  # High Peak
    assert of_type("SK13 8AF", postcode_index, "ambulance_service") == {NWAS}
    assert of_type("SK17 6AA", postcode_index, "ambulance_service") == {EMAS}
    for pc in ("SK13 8AF", "SK17 6AA"):  # both in Derbyshire and its ICB
        assert {"E10000007", "E54000058"} <= codes(pc, postcode_index)


@pytest.mark.parametrize(
    ("inside", "outside", "inside_service", "outside_service"),
    [
        ("TW6 1EW", "TW19 7AA", LAS, SECAMB),  # Heathrow (Hillingdon) / Stanwell (Surrey)
        ("CR0 1NX", "KT22 8AH", LAS, SECAMB),  # Croydon / Leatherhead
        ("EN1 3XA", "EN6 1AA", LAS, EEAST),  # Enfield / Potters Bar (Hertsmere)
        ("RM1 3BB", "RM17 6SL", LAS, EEAST),  # Romford (Havering) / Grays (Thurrock)
    ],
)
def test_greater_london_edges(
    inside: str,
    outside: str,
    inside_service: str,
    outside_service: str,
    postcode_index: PostcodeIndex,
) -> None:
    london = "E12000007"
    assert {london, "E40000003", inside_service} <= codes(inside, postcode_index)
    out = codes(outside, postcode_index)
    assert london not in out and "E40000003" not in out
    assert outside_service in out and inside_service not in out


def test_welsh_postcode_gets_england_and_wales_but_not_england(
    postcode_index: PostcodeIndex,
) -> None:
    deeside = codes("CH5 1AA", postcode_index)  # Flintshire, across the border from Chester
    assert {UK, GREAT_BRITAIN, ENGLAND_AND_WALES, WALES, "RT4", "W11000023"} <= deeside
    assert ENGLAND not in deeside and NWAS not in deeside
    chester = codes("CH1 2HS", postcode_index)
    assert {ENGLAND, ENGLAND_AND_WALES, NWAS} <= chester and WALES not in chester


def test_scottish_border(postcode_index: PostcodeIndex) -> None:
    berwick = codes("TD15 1BG", postcode_index)  # Northumberland, England
    kelso = codes("TD5 7AA", postcode_index)  # Scottish Borders
    assert {ENGLAND, "RX6", "E06000057"} <= berwick and SCOTLAND not in berwick
    assert {SCOTLAND, GREAT_BRITAIN, "S08000016", "X-AMB-SCOTLAND"} <= kelso
    assert ENGLAND_AND_WALES not in kelso and ENGLAND not in kelso


def test_northern_ireland_is_uk_but_not_great_britain(postcode_index: PostcodeIndex) -> None:
    belfast = codes("BT1 5GS", postcode_index)
    assert {UK, NI, "X-HSCT-BELFAST", "N09000003"} <= belfast
    assert GREAT_BRITAIN not in belfast


def test_outward_code_is_the_union_of_its_districts(postcode_index: PostcodeIndex) -> None:
    border = resolve_postcode("CH4", index=postcode_index)
    assert border.postcode == "CH4"
    assert border.districts == ["E06000050", "W06000005"]
    assert {ENGLAND, WALES, NWAS, "RT4"} <= border.codes
    glossopdale = resolve_postcode("SK13", index=postcode_index)
    assert EMAS not in glossopdale.codes  # the split applies to outward codes as well


def test_areas_are_listed_widest_first_and_typed(postcode_index: PostcodeIndex) -> None:
    result = resolve_postcode("ME14 1XQ", index=postcode_index)
    types = [a.type for a in result.areas]
    assert types == sorted(types, key=AREA_TYPES.index)
    assert [a.code for a in result.areas][:4] == [UK, GREAT_BRITAIN, ENGLAND_AND_WALES, ENGLAND]
    assert set(types) == set(AREA_TYPES) - {"health_board"}
    assert result.as_dict()["areas"][-1] == {
        "code": "E07000110",
        "name": "Maidstone",
        "type": "district",
    }


def test_every_district_in_the_postcode_data_is_in_the_table(
    postcode_index: PostcodeIndex,
) -> None:
    table = load_area_table()
    in_data = set(postcode_index.header["districts"]) - {"L99999999", "M99999999"}
    assert in_data == set(table.parents)
    assert len(in_data) == 361


def test_table_counts_match_the_published_structure() -> None:
    by_type: dict[str, int] = {}
    for ref in all_areas():
        by_type[ref.type] = by_type.get(ref.type, 0) + 1
        assert ref.type in AREA_TYPES and ref.name.strip() == ref.name and ref.name
    assert by_type["icb"] == 42
    assert by_type["nhs_region"] == 7
    assert by_type["region"] == 9
    assert by_type["ambulance_service"] == 14
    assert by_type["district"] == 361
    # 7 Welsh health boards, 14 Scottish NHS boards, 5 Northern Ireland HSC trusts
    assert by_type["health_board"] == 26
    assert all(a.name.endswith("Integrated Care Board") for a in all_areas() if a.type == "icb")


def test_area_lookup_by_code() -> None:
    assert area("RYD").name == "South East Coast Ambulance Service NHS Foundation Trust"
    with pytest.raises(KeyError, match="NOPE"):
        area("NOPE")


def test_districts_in_follows_splits() -> None:
    table = load_area_table()
    secamb = table.districts_in(SECAMB)
    assert "E06000035" in secamb and "E07000089" in secamb and "E07000092" in secamb
    assert "E06000046" not in secamb
    assert table.districts_in(WALES) == sorted(d for d in table.parents if d.startswith("W06"))


def _copy_tables(tmp_path: Path) -> Path:
    target = tmp_path / "areas"
    shutil.copytree(AREAS_DIR, target)
    return target


def test_broken_district_row_is_reported_with_its_line(tmp_path: Path) -> None:
    directory = _copy_tables(tmp_path)
    path = directory / "districts.csv"
    rows = list(csv.reader(path.open()))
    rows[5][6] = "E54999999"  # an ICB code not in areas.csv
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(AreaDataError, match=r"districts.csv line 6: .*E54999999"):
        load_area_table(directory)


def test_unknown_area_type_is_rejected(tmp_path: Path) -> None:
    directory = _copy_tables(tmp_path)
    path = directory / "areas.csv"
    path.write_text(path.read_text() + "X-NEW,Somewhere,parish\n")
    with pytest.raises(AreaDataError, match="parish"):
        load_area_table(directory)


def test_seed_areas_upserts(session: Session) -> None:
    written = seed_areas(session)
    session.commit()
    assert written == len(all_areas())
    stored = {a.code: a for a in session.execute(select(Area)).scalars()}
    assert stored["RYD"].type == "ambulance_service"
    assert stored["K04000001"].name == "England and Wales"
    stored["RYD"].name = "Old name"
    session.commit()
    assert seed_areas(session) == 1
    session.commit()
    assert session.get(Area, "RYD").name.startswith("South East Coast")  # type: ignore[union-attr]
    assert seed_areas(session) == 0
