"""The ``notifier`` command. Each command group lives in its own module with ``register(app)``."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    help="UK strike alerts: poll feeds, detect strikes, alert subscribers by SMS and Telegram.",
    no_args_is_help=True,
    add_completion=False,
)

# One module per command group, in the order --help lists them.
_COMMAND_MODULES = (
    "run", "serve", "demo", "db", "poll", "feeds", "detect", "strikes",
    "areas", "subscribers", "tick", "outbox",
)

for _name in _COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # a group not written yet during development
        if _exc.name != f"{__name__}.{_name}":
            raise
        continue
    _module.register(app)


def main() -> None:
    app()
