"""The gazetteer finds the places strikes are announced for, with the codes postcodes resolve to."""

from __future__ import annotations

import pytest

from subscribers.areas import all_areas, areas_meet, resolve_postcode
from subscribers.gazetteer import PlaceMatch, load_gazetteer
from subscribers.postcode_index import PostcodeIndex


def found(text: str) -> list[PlaceMatch]:
    matches = load_gazetteer().find(text)
    for m in matches:
        assert text[m.start : m.end] == m.name
    return matches


def codes(text: str) -> list[str]:
    return [m.code for m in found(text)]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Staff at South East Coast Ambulance Service will walk out", "RYD"),
        ("SECAmb paramedics", "RYD"),
        ("the South Central Ambulance Service NHS Foundation Trust", "RYE"),
        ("Members at NWAS voted", "RX7"),
        ("North West Ambulance Service crews", "RX7"),
        ("EMAS control room", "RX9"),
        ("the Welsh Ambulance Service", "RT4"),
        ("Scottish Ambulance Service technicians", "X-AMB-SCOTLAND"),
        ("NIAS crews in Belfast", "X-AMB-NI"),
        ("NHS Kent and Medway has", "E54000032"),
        ("Kent and Medway ICB", "E54000032"),
        ("NHS Greater Manchester Integrated Care Board", "E54000057"),
        ("Betsi Cadwaladr University Health Board", "W11000023"),
        ("nurses at NHS Lothian", "S08000024"),
        ("Southern Trust in Newry", "X-HSCT-SOUTHERN"),
    ],
)
def test_trusts_boards_and_acronyms(text: str, code: str) -> None:
    assert code in codes(text)
    assert not any(m.ambiguous for m in found(text) if m.code == code)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("nurses across England will strike", "E92000001"),
        ("a strike across England and Wales", "K04000001"),
        ("the first UK-wide ambulance strike", "K02000001"),
        ("doctors in Scotland", "S92000003"),
        ("GMB members in the South East", "E12000008"),
        ("Unison's North West region", "E12000002"),
        ("ambulance workers in the West Midlands NHS trusts", "E12000005"),
        ("hospitals across the north east", "E12000001"),
        ("workers at Medway council", "E06000035"),
        ("bus drivers in Greater Manchester", "E11000001"),
        ("porters in Glasgow", "S12000049"),
    ],
)
def test_nations_regions_counties_cities(text: str, code: str) -> None:
    assert codes(text) == [code]


def test_longest_name_wins() -> None:
    assert codes("England and Wales") == ["K04000001"]
    assert codes("North East Lincolnshire") == ["E06000012"]
    assert codes("West Midlands Ambulance Service") == ["RYA"]
    assert codes("Kent and Medway") == ["E54000032"]


def test_offsets_point_at_the_text() -> None:
    text = "Strikes hit NWAS and SECAmb; the South East is worst."
    matches = found(text)
    assert [(m.name, m.type) for m in matches] == [
        ("NWAS", "ambulance_service"),
        ("SECAmb", "ambulance_service"),
        ("the South East", "region"),
    ]


def test_common_words_need_place_context() -> None:
    in_reading = found("Nurses in Reading will strike")
    assert [(m.code, m.ambiguous) for m in in_reading] == [("E06000038", False)]
    sentence_start = found("Reading the ballot result, the union said")
    assert [(m.code, m.ambiguous) for m in sentence_start] == [("E06000038", True)]
    assert found("after reading the report") == []
    assert [m.ambiguous for m in found("Hart District Council staff")] == [False]
    assert [m.ambiguous for m in found("said Ms Hart, a nurse")] == [True]


def test_two_places_with_one_name_are_flagged_or_settled_by_context() -> None:
    (bare,) = found("Porters in Newcastle walk out")
    assert bare.ambiguous and bare.alternatives == ("E07000195",)
    (tyne,) = found("Porters in Newcastle walk out, Gateshead next")[:1]
    assert tyne.code == "E08000021" and not tyne.ambiguous
    (lyme,) = found("Staff in Newcastle, Staffordshire")[:1]
    assert lyme.code == "E07000195" and not lyme.ambiguous


def test_west_midlands_region_or_county_by_context() -> None:
    (bus,) = found("West Midlands bus drivers strike")
    assert bus.code == "E11000005" and bus.type == "county" and not bus.ambiguous
    (nhs,) = found("NHS staff in the West Midlands")
    assert nhs.code == "E12000005" and not nhs.ambiguous
    (unclear,) = found("Pickets in the West Midlands")
    assert unclear.ambiguous and "E11000005" in unclear.alternatives


def test_acronyms_that_are_other_things_are_flagged() -> None:
    (airline,) = found("SAS cancelled flights to Oslo")
    assert airline.ambiguous
    (ambulance,) = found("SAS ambulance crews in Glasgow")[:1]
    assert ambulance.code == "X-AMB-SCOTLAND" and not ambulance.ambiguous
    assert found("las ventas") == []  # acronyms must be written as acronyms


def test_phrases_that_are_not_places() -> None:
    assert found("The Bank of England raised rates") == []
    assert found("in New York") == []
    assert codes("the Prince of Wales visited Cardiff") == ["W06000015"]


def test_every_ambulance_service_and_icb_has_a_findable_name() -> None:
    gazetteer = load_gazetteer()
    for ref in all_areas():
        if ref.type in {"ambulance_service", "icb", "nhs_region", "region", "nation"}:
            hits = gazetteer.find(f"Staff at {ref.name} are balloted")
            assert ref.code in [m.code for m in hits], ref


def test_strike_places_meet_subscriber_postcodes(postcode_index: PostcodeIndex) -> None:
    """What detection finds and what a postcode resolves to share one code space."""
    strike = {m.code for m in found("South East Coast Ambulance Service staff will strike")}
    rochester = resolve_postcode("ME1 1AA", index=postcode_index).codes
    manchester = resolve_postcode("M60 2LA", index=postcode_index).codes
    cardiff = resolve_postcode("CF10 3ND", index=postcode_index).codes
    assert areas_meet(rochester, strike) and not areas_meet(manchester, strike)
    england_only = {m.code for m in found("a strike across England")}
    england_and_wales = {m.code for m in found("a strike in England and Wales")}
    assert not areas_meet(cardiff, england_only)
    assert areas_meet(cardiff, england_and_wales) and areas_meet(rochester, england_and_wales)


def test_parts_of_london_are_flagged_not_taken_as_all_of_london() -> None:
    (north,) = found("Bus drivers in North London")
    assert north.code == "E54000028" and north.ambiguous
    assert "E12000007" in north.alternatives


def test_westminster_the_government_is_not_the_borough() -> None:
    (politics,) = found("Ministers at Westminster refused to budge")
    assert politics.ambiguous
    (council,) = found("Westminster City Council refuse collectors")
    assert council.code == "E09000033" and not council.ambiguous


def test_union_region_names() -> None:
    assert codes("members in the Northern region") == ["E12000001"]
    assert codes("Unison's Eastern region") == ["E12000006"]
    assert codes("West Midlands Trains guards") == ["E12000005"]


def test_official_names_win_over_short_forms() -> None:
    assert codes("care workers in Powys") == ["W06000023"]  # the council, not the health board
    assert codes("Powys Teaching Health Board") == ["W11000024"]


def test_towns_resolve_to_their_council() -> None:
    assert codes("refuse collectors in Crewe") == ["E06000049"]  # Cheshire East
    assert codes("teachers in Huddersfield") == ["E08000034"]  # Kirklees
    assert codes("porters in Chester-le-Street") == []  # not Chester
    assert codes("bus drivers in Paisley") == ["S12000038"]  # Renfrewshire


def test_descriptions_are_not_the_extent_of_a_strike() -> None:
    (uk,) = found("Unison, the UK's largest union, said")
    assert uk.ambiguous and uk.code == "K02000001"
    (britain,) = found("Britain’s biggest union")
    assert britain.ambiguous
    assert found("NHS England said the walkout would go ahead") == []
    (wide,) = found("a UK-wide strike")
    assert not wide.ambiguous
