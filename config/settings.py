"""Operator settings, read from the environment and an optional ``.env`` file.

Names are the public contract (operators and scripts rely on them), so each field's alias is the
exact environment variable. Missing provider credentials switch that channel off; malformed ones
fail at start-up with a message that names the variable.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

CONFIG_DIR = Path(__file__).resolve().parent
DEFAULT_FEEDS_FILE = CONFIG_DIR / "feeds.yaml"

_TWILIO_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_TWILIO_MSID = re.compile(r"^MG[0-9a-fA-F]{32}$")
_TELEGRAM_TOKEN = re.compile(r"^\d{3,}:[A-Za-z0-9_-]{20,}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class SettingsError(RuntimeError):
    """A setting is present but unusable; the message says which and how to fix it."""


class Settings(BaseSettings):
    """Every knob of the service. Defaults give a working single-machine install."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default="sqlite:///strike_alerts.db", alias="DATABASE_URL",
        description="SQLAlchemy URL; default is a SQLite file in the working directory.",
    )
    twilio_account_sid: str | None = Field(default=None, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str | None = Field(default=None, alias="TWILIO_AUTH_TOKEN")
    twilio_from_number: str | None = Field(default=None, alias="TWILIO_FROM_NUMBER")
    twilio_messaging_service_sid: str | None = Field(
        default=None, alias="TWILIO_MESSAGING_SERVICE_SID"
    )
    twilio_api_base_url: str = Field(default="https://api.twilio.com", alias="TWILIO_API_BASE_URL")
    telegram_bot_token: str | None = Field(default=None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field(
        default="https://api.telegram.org", alias="TELEGRAM_API_BASE_URL"
    )
    telegram_webhook_secret: str | None = Field(default=None, alias="TELEGRAM_WEBHOOK_SECRET")
    telegram_bot_username: str | None = Field(default=None, alias="TELEGRAM_BOT_USERNAME")
    public_base_url: str | None = Field(default=None, alias="PUBLIC_BASE_URL")
    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=8000, alias="PORT", ge=1, le=65535)
    feeds_file: Path = Field(default=DEFAULT_FEEDS_FILE, alias="FEEDS_FILE")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    contact_url: str = Field(
        default="https://github.com/strike-alerts/strike-alerts", alias="CONTACT_URL",
        description="Put in the User-Agent so publishers can reach the operator.",
    )
    postcode_index_path: Path | None = Field(default=None, alias="POSTCODE_INDEX_PATH")

    # Detection and approval
    approval_confidence: float = Field(default=0.75, alias="APPROVAL_CONFIDENCE", ge=0, le=1)

    # Subscribers
    allowed_phone_regions: str = Field(default="GB", alias="ALLOWED_PHONE_REGIONS")
    allow_fictional_numbers: bool = Field(
        default=False, alias="ALLOW_FICTIONAL_NUMBERS",
        description="Admit Ofcom's drama range 07700 900xxx (tests and demos only).",
    )
    max_postcodes: int = Field(default=3, alias="MAX_POSTCODES")
    default_reminder_time: str = Field(default="18:00", alias="DEFAULT_REMINDER_TIME")
    code_requests_per_ip_per_hour: int = Field(default=5, alias="CODE_REQUESTS_PER_IP_PER_HOUR")
    code_requests_per_number_per_day: int = Field(
        default=3, alias="CODE_REQUESTS_PER_NUMBER_PER_DAY"
    )
    code_requests_daily_cap: int = Field(default=1000, alias="CODE_REQUESTS_DAILY_CAP")

    # Delivery
    sms_segments_per_second: float = Field(default=10.0, alias="SMS_SEGMENTS_PER_SECOND", gt=0)
    telegram_messages_per_second: float = Field(
        default=30.0, alias="TELEGRAM_MESSAGES_PER_SECOND", gt=0
    )
    sms_validity_seconds: int = Field(default=14400, alias="SMS_VALIDITY_SECONDS", ge=1, le=36000)
    quiet_hours_start: str = Field(default="21:00", alias="QUIET_HOURS_START")
    quiet_hours_end: str = Field(default="08:00", alias="QUIET_HOURS_END")
    max_send_attempts: int = Field(default=6, alias="MAX_SEND_ATTEMPTS", ge=1)

    # Polling
    poll_concurrency: int = Field(default=64, alias="POLL_CONCURRENCY", ge=1)
    poll_per_host: int = Field(default=4, alias="POLL_PER_HOST", ge=1)
    poll_max_bytes: int = Field(default=5_000_000, alias="POLL_MAX_BYTES", ge=1024)
    poll_timeout_seconds: float = Field(default=20.0, alias="POLL_TIMEOUT_SECONDS", gt=0)
    poll_parse_workers: int = Field(
        default=2, alias="POLL_PARSE_WORKERS", ge=0,
        description="Processes that parse feeds in a large poll cycle; 0 parses in-process.",
    )

    @field_validator("twilio_account_sid")
    @classmethod
    def _check_sid(cls, v: str | None) -> str | None:
        if v and not _TWILIO_SID.match(v):
            raise ValueError("TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits")
        return v or None

    @field_validator("twilio_messaging_service_sid")
    @classmethod
    def _check_msid(cls, v: str | None) -> str | None:
        if v and not _TWILIO_MSID.match(v):
            raise ValueError(
                "TWILIO_MESSAGING_SERVICE_SID must look like MG followed by 32 hex digits"
            )
        return v or None

    @field_validator("twilio_from_number")
    @classmethod
    def _check_from(cls, v: str | None) -> str | None:
        if v and not _E164.match(v):
            raise ValueError(
                "TWILIO_FROM_NUMBER must be an E.164 number that can receive replies, e.g. "
                "+447700900123 (an alphanumeric sender cannot receive STOP)"
            )
        return v or None

    @field_validator("telegram_bot_token")
    @classmethod
    def _check_token(cls, v: str | None) -> str | None:
        if v and not _TELEGRAM_TOKEN.match(v):
            raise ValueError("TELEGRAM_BOT_TOKEN looks like 123456:ABC... (from BotFather)")
        return v or None

    @field_validator("twilio_api_base_url", "telegram_api_base_url", "public_base_url")
    @classmethod
    def _strip_slash(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None if v == "" else v
        if not v.startswith(("http://", "https://")):
            raise ValueError(f"{v!r} is not an http(s) URL")
        return v.rstrip("/")

    @field_validator("quiet_hours_start", "quiet_hours_end", "default_reminder_time")
    @classmethod
    def _check_hhmm(cls, v: str) -> str:
        if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            raise ValueError(f"{v!r} is not a 24-hour HH:MM time")
        return v

    @model_validator(mode="after")
    def _twilio_complete(self) -> Settings:
        parts = {
            "TWILIO_ACCOUNT_SID": self.twilio_account_sid,
            "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
        }
        given = [k for k, v in parts.items() if v]
        if given and len(given) < len(parts):
            missing = [k for k, v in parts.items() if not v]
            raise ValueError(f"Twilio is half configured: set {', '.join(missing)} as well")
        if given and not (self.twilio_from_number or self.twilio_messaging_service_sid):
            raise ValueError(
                "Twilio needs a sender: set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID"
            )
        return self

    @property
    def sms_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token)

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning pydantic's report into one readable error."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            lines.append(f"  {where}: {err['msg']}")
        raise SettingsError("Invalid configuration:\n" + "\n".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own with :func:`load_settings`."""
    return load_settings()
