"""Subscription topics: what kind of industrial action a subscriber wants to hear about."""

from __future__ import annotations

TOPICS: dict[str, str] = {
    "ambulance": "Ambulance services",
    "nursing": "Nursing and midwifery",
    "doctors": "Doctors",
    "other_nhs": "Other NHS staff",
    "transport": "Transport",
    "education": "Schools and universities",
    "councils": "Councils and other public services",
}

HEALTH_TOPICS: tuple[str, ...] = ("ambulance", "nursing", "doctors", "other_nhs")
DEFAULT_TOPICS: tuple[str, ...] = HEALTH_TOPICS

AREA_TYPES: tuple[str, ...] = (
    "nation", "region", "nhs_region", "icb", "health_board", "ambulance_service", "county",
    "district",
)
"""``region`` is an English region (ONS E12 codes: "the North West", "West Midlands") as unions
name them; it differs from the NHS England region (E40) at several edges."""
