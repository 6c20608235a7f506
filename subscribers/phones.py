"""Mobile number validation: everything stored or texted is E.164 and passed ``phonenumbers``.

Only mobiles in the allowed regions (UK by default) are accepted, which limits SMS-pumping abuse
and cost. Ofcom's drama range 07700 900000-900999 is not a valid number, so tests and demos that
use it switch on ``ALLOW_FICTIONAL_NUMBERS``; the production check itself is never loosened.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, geocoder

from config.settings import Settings

# Crown dependencies share +44 and UK mobile networks; a UK service treats them as UK numbers.
_UK_ALIKE = frozenset({"GG", "JE", "IM"})
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
_FICTIONAL_LOW = 7700900000
_FICTIONAL_HIGH = 7700900999
EXAMPLE = "07123 456789"


class InvalidPhoneNumber(ValueError):
    """The number cannot be used; the message tells the person what to fix."""


def allowed_regions(settings: Settings) -> frozenset[str]:
    regions = {r.strip().upper() for r in settings.allowed_phone_regions.split(",") if r.strip()}
    if "GB" in regions:
        regions |= _UK_ALIKE
    return frozenset(regions)


def is_fictional(number: phonenumbers.PhoneNumber) -> bool:
    """Ofcom's range reserved for drama (and so for tests): 07700 900000 to 07700 900999."""
    national = number.national_number or 0
    return number.country_code == 44 and _FICTIONAL_LOW <= national <= _FICTIONAL_HIGH


def normalise_phone(raw: str, settings: Settings) -> str:
    """Return the E.164 form of a mobile number people may sign up with, or raise.

    Numbers without a country code are read as UK numbers.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("Enter your mobile phone number.")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, "GB")
    except NumberParseException:
        raise InvalidPhoneNumber(
            f"{raw.strip()!r} is not a phone number. Enter a mobile number, such as {EXAMPLE}."
        ) from None
    if settings.allow_fictional_numbers and is_fictional(number):
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(
            f"{raw.strip()!r} is not a valid phone number: check the digits "
            f"(a UK mobile has 11 digits and starts 07, such as {EXAMPLE})."
        )
    region = phonenumbers.region_code_for_number(number)
    regions = allowed_regions(settings)
    if region not in regions:
        plain = sorted(regions - _UK_ALIKE)
        where = "UK" if plain == ["GB"] else ", ".join(plain)
        country = geocoder.country_name_for_number(number, "en") or region or "another country"
        raise InvalidPhoneNumber(
            f"Only {where} mobile numbers can sign up; {raw.strip()!r} is a number from {country}."
        )
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidPhoneNumber(
            f"{raw.strip()!r} is not a mobile number. Alerts are sent by text message, so enter "
            f"a mobile number, such as {EXAMPLE}."
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def is_valid_e164(value: str) -> bool:
    """Cheap shape check for values already normalised (e.g. Twilio's ``From``)."""
    return value.startswith("+") and value[1:].isdigit() and 8 <= len(value) <= 16
