"""Session-wide real postcode index for tests (built once from the installed ONS data, ~3 s).

Import the fixture into a test module: ``from tests.areas_support import postcode_index``.
It also points ``POSTCODE_INDEX_PATH`` at the built file, so code that resolves postcodes with
default settings (CLI, services) uses it instead of the user's cache directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from subscribers.postcode_index import PostcodeIndex, get_index


@pytest.fixture(scope="session")
def postcode_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostcodeIndex]:
    path: Path = tmp_path_factory.mktemp("postcodes") / "postcodes.idx"
    index = get_index(path)
    previous = os.environ.get("POSTCODE_INDEX_PATH")
    os.environ["POSTCODE_INDEX_PATH"] = str(path)
    try:
        yield index
    finally:
        if previous is None:
            os.environ.pop("POSTCODE_INDEX_PATH", None)
        else:
            os.environ["POSTCODE_INDEX_PATH"] = previous
