"""``notifier subscribers``: add, list, remove and import subscribers.

Listings mask phone numbers unless ``--show-numbers`` is given: operators sometimes need a number
(to answer a complaint), but it should never end up in a pasted terminal log by default.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import typer
from sqlmodel import Session, col, select

from config.db_types import utcnow
from config.settings import Settings
from notifier.cli.common import engine_or_exit, fail, settings_or_exit
from notifier.logging_setup import mask_phone

group = typer.Typer(help="Add, list, remove and import subscribers.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="subscribers")


def _address(settings: Settings, sms: str | None, telegram: str | None) -> tuple[str, str]:
    from subscribers.phones import InvalidPhoneNumber, normalise_phone

    if bool(sms) == bool(telegram):
        fail("Give exactly one of --sms NUMBER or --telegram CHAT_ID.", 2)
    if sms:
        try:
            return "sms", normalise_phone(sms, settings)
        except InvalidPhoneNumber as exc:
            fail(f"--sms: {exc}", 2)
    assert telegram is not None
    chat = telegram.strip()
    if not chat.lstrip("-").isdigit():
        fail(f"--telegram: {telegram!r} is not a Telegram chat id (digits, e.g. 123456789).", 2)
    return "telegram", chat


@group.command("add")
def add(
    postcode: list[str] = typer.Option(
        ..., "--postcode", "-p", help="Postcode or outward code; repeat for up to 3."
    ),
    sms: str | None = typer.Option(None, "--sms", help="UK mobile number."),
    telegram: str | None = typer.Option(None, "--telegram", help="Telegram chat id."),
    active: bool = typer.Option(
        False, "--active", help="Active at once (the person asked you); else they must confirm."
    ),
) -> None:
    """Add one subscriber (or add postcodes to an existing one)."""
    from subscribers import service
    from subscribers.postcodes import PostcodeError
    from subscribers.service import SubscriptionError, resolver_for

    settings = settings_or_exit()
    channel, address = _address(settings, sms, telegram)
    engine = engine_or_exit(settings)
    now = utcnow()
    resolver = resolver_for(settings)
    try:
        with Session(engine, expire_on_commit=False) as session:
            if active:
                sub = service.subscribe_now(
                    session,
                    settings,
                    channel=channel,
                    address=address,
                    postcodes=postcode,
                    consent_channel="operator",
                    now=now,
                    resolver=resolver,
                )
            else:
                if len(postcode) > 1:
                    fail("A pending subscriber starts with one postcode; add more once active.")
                sub = service.start_signup(
                    session,
                    settings,
                    channel=channel,
                    address=address,
                    postcode=postcode[0],
                    now=now,
                    resolver=resolver,
                ).subscriber
            session.commit()
            assert sub.id is not None
            postcodes = service.postcodes_of(session, sub.id)
    except (PostcodeError, SubscriptionError) as exc:
        fail(str(exc))
    confirm = "texting YES" if channel == "sms" else "sending /start to the bot"
    hint = "" if sub.status == "active" else f" (they confirm by {confirm})"
    typer.echo(
        f"subscriber {sub.id}: {channel} {mask_phone(address)} {sub.status}{hint}, "
        f"postcodes {', '.join(postcodes)}"
    )


@group.command("list")
def list_(
    as_json: bool = typer.Option(False, "--json", help="One JSON array."),
    status: str | None = typer.Option(None, "--status", help="pending, active or stopped."),
    show_numbers: bool = typer.Option(
        False, "--show-numbers", help="Print full phone numbers (they are masked otherwise)."
    ),
) -> None:
    """List subscribers with their postcodes, topics and consent (forgotten ones are left out)."""
    from subscribers import service
    from subscribers.models import Subscriber

    settings = settings_or_exit()
    engine = engine_or_exit(settings)
    rows: list[dict[str, object]] = []
    with Session(engine) as session:
        query = select(Subscriber).where(col(Subscriber.address).is_not(None))
        if status:
            query = query.where(Subscriber.status == status)
        for sub in session.exec(query.order_by(col(Subscriber.id))).all():
            assert sub.id is not None and sub.address is not None
            address = sub.address
            if sub.channel == "sms" and not show_numbers:
                address = mask_phone(address)
            rows.append(
                {
                    "id": sub.id,
                    "channel": sub.channel,
                    "address": address,
                    "status": sub.status,
                    "postcodes": service.postcodes_of(session, sub.id),
                    "topics": service.topics_of(session, sub.id),
                    "reminder_time": sub.reminder_time,
                    "consent_channel": sub.consent_channel,
                    "consent_at": sub.consent_at.isoformat() if sub.consent_at else None,
                }
            )
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        typer.echo("no subscribers")
        return
    for r in rows:
        postcodes = ", ".join(r["postcodes"])  # type: ignore[arg-type]
        typer.echo(
            f"{r['id']:>6}  {r['channel']:<8} {r['address']!s:<16} {r['status']:<8} "
            f"{postcodes:<28} reminder {r['reminder_time']}  consent {r['consent_channel']}"
        )


@group.command("remove")
def remove(
    sms: str | None = typer.Option(None, "--sms", help="UK mobile number."),
    telegram: str | None = typer.Option(None, "--telegram", help="Telegram chat id."),
    stop_only: bool = typer.Option(
        False, "--stop-only", help="Only stop alerts; keep the number so a START can resume them."
    ),
) -> None:
    """Remove a subscriber: erase their personal data (or, with --stop-only, just stop alerts)."""
    from subscribers import service

    settings = settings_or_exit()
    channel, address = _address(settings, sms, telegram)
    engine = engine_or_exit(settings)
    now = utcnow()
    with Session(engine) as session:
        if stop_only:
            done = (
                service.stop(session, channel=channel, address=address, now=now, reason="operator")
                is not None
            )
        else:
            done = service.forget(session, channel=channel, address=address, now=now)
        session.commit()
    if not done:
        fail(f"no subscriber {channel} {mask_phone(address)}")
    typer.echo(f"{'stopped' if stop_only else 'removed'} {channel} {mask_phone(address)}")


@dataclass
class ImportPlan:
    """Rows grouped by number, and the reasons other rows were refused (by CSV line)."""

    numbers: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def plan_import(session: Session, settings: Settings, path: Path) -> ImportPlan:
    """Validate every row before anything is written."""
    from subscribers import service
    from subscribers.phones import InvalidPhoneNumber, normalise_phone
    from subscribers.postcodes import PostcodeError
    from subscribers.service import resolver_for

    resolver = resolver_for(settings)
    plan = ImportPlan()
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}", 2)
    with handle:
        reader = csv.reader(handle)
        for line, row in enumerate(reader, start=1):
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if line == 1 and cells and cells[0].lower() in ("number", "phone", "mobile"):
                continue  # header
            if len(cells) < 2 or not cells[0] or not cells[1]:
                plan.rejected.append((line, "needs two columns: number, postcode"))
                continue
            try:
                number = normalise_phone(cells[0], settings)
                postcode = resolver(cells[1]).postcode
            except (InvalidPhoneNumber, PostcodeError) as exc:
                plan.rejected.append((line, str(exc)))
                continue
            existing = service.find(session, "sms", number)
            if existing is not None and existing.status == service.STOPPED:
                plan.rejected.append((line, "this number opted out (STOP); not imported"))
                continue
            if existing is not None and existing.status == service.ACTIVE:
                plan.skipped.append((line, "already subscribed; left as it is"))
                continue
            postcodes = plan.numbers.setdefault(number, [])
            if postcode in postcodes:
                plan.skipped.append((line, f"duplicate of an earlier row for {postcode}"))
            elif len(postcodes) >= settings.max_postcodes:
                plan.rejected.append(
                    (line, f"more than {settings.max_postcodes} postcodes for one number")
                )
            else:
                postcodes.append(postcode)
    return plan


@group.command("import")
def import_(
    csv_path: Path = typer.Argument(..., help="CSV with columns: number, postcode."),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Import the valid rows even if some are rejected."
    ),
) -> None:
    """Import subscribers who already asked for alerts; consent is recorded as 'import'.

    Every row is checked first. If any is rejected nothing is imported (unless --skip-invalid),
    and the rejected rows are listed with their line numbers.
    """
    from subscribers import service
    from subscribers.service import resolver_for

    settings = settings_or_exit()
    engine = engine_or_exit(settings)
    now = utcnow()
    with Session(engine) as session:
        plan = plan_import(session, settings, csv_path)
        for line, reason in plan.rejected:
            typer.echo(f"line {line}: rejected: {mask_phone(reason)}", err=True)
        for line, reason in plan.skipped:
            typer.echo(f"line {line}: skipped: {reason}", err=True)
        if plan.rejected and not skip_invalid:
            fail(
                f"{len(plan.rejected)} row(s) rejected; nothing imported. Fix them, or use "
                "--skip-invalid to import the other rows."
            )
        resolver = resolver_for(settings)
        for number, postcodes in plan.numbers.items():
            service.subscribe_now(
                session,
                settings,
                channel="sms",
                address=number,
                postcodes=postcodes,
                consent_channel="import",
                now=now,
                resolver=resolver,
            )
        session.commit()
    typer.echo(
        f"imported {len(plan.numbers)} subscriber(s); {len(plan.rejected)} row(s) rejected, "
        f"{len(plan.skipped)} skipped"
    )
