"""``notifier areas``: a postcode's areas; also builds the postcode index, seeds the area table."""

from __future__ import annotations

import json

import typer

from notifier.cli.common import engine_or_exit, fail, settings_or_exit


def register(app: typer.Typer) -> None:
    @app.command("areas")
    def areas(
        postcode: str | None = typer.Argument(
            None, help="A full postcode (ME1 1AA) or an outward code (TN22)."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
        build_index: bool = typer.Option(
            False, "--build-index", help="(Re)build the postcode index now and report its size."
        ),
        seed: bool = typer.Option(
            False, "--seed", help="Insert or update every area in the database's area table."
        ),
    ) -> None:
        """Show the areas a postcode lies in: these decide which strikes reach its subscribers.

        Nation, regions, ICB or health board, ambulance service, county and district.
        """
        from subscribers.areas import resolve_postcode, seed_areas
        from subscribers.postcode_index import (
            PostcodeIndexUnavailable,
            default_index_path,
        )
        from subscribers.postcode_index import (
            build_index as do_build,
        )
        from subscribers.postcodes import PostcodeError

        settings = settings_or_exit()
        index_path = settings.postcode_index_path or default_index_path()
        if not (postcode or build_index or seed):
            fail("Give a postcode such as 'ME1 1AA', or --build-index, or --seed.", 2)
        try:
            if build_index:
                try:
                    stats = do_build(index_path)
                except OSError as exc:
                    fail(f"cannot write the postcode index at {index_path}: {exc}", 2)
                typer.echo(
                    f"postcode index {index_path}: {stats.postcodes:,} postcodes, "
                    f"{stats.districts} districts, {stats.bytes / 1e6:.1f} MB, "
                    f"{stats.seconds:.1f} s"
                )
            if seed:
                from notifier.db import session_scope

                engine = engine_or_exit(settings)
                with session_scope(engine) as session:
                    written = seed_areas(session)
                typer.echo(f"area table: {written} rows inserted or updated")
            if postcode:
                result = resolve_postcode(postcode, index_path=index_path)
        except PostcodeError as exc:
            fail(str(exc), 1)
        except PostcodeIndexUnavailable as exc:
            fail(str(exc), 2)
        if not postcode:
            return
        if as_json:
            typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        typer.echo(f"{result.postcode} (districts: {', '.join(result.districts)})")
        for ref in result.areas:
            typer.echo(f"  {ref.type:<18} {ref.code:<15} {ref.name}")
