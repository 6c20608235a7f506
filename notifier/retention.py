"""Keep personal data no longer than its purpose needs (run by the leader's housekeeping job)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from subscribers.service import purge_old_codes, purge_stale_pending

# An unconfirmed sign-up carries no consent: forget its number after a day.
PENDING_SIGNUP_TTL = timedelta(days=1)
# Sign-up codes (and the IP addresses that asked for them) outlive the day the throttles look at.
CODE_TTL = timedelta(days=2)


def purge_personal_data(engine: Engine, now: datetime) -> dict[str, int]:
    """Erase stale pending sign-ups and old sign-up codes in one transaction."""
    with Session(engine) as session:
        pending = purge_stale_pending(session, before=now - PENDING_SIGNUP_TTL)
        codes = purge_old_codes(session, before=now - CODE_TTL)
        session.commit()
    return {"pending_signups_forgotten": pending, "codes_deleted": codes}
