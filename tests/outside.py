"""Tests that need a program from outside the project (PostgreSQL, Chromium, nginx, systemd) skip
with the reason on a machine that lacks it; with `FUPIN_TEST_REQUIRE_ALL=1` (CI, which provides
each program) they fail instead, so CI never skips them."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip the test for `reason`, or fail it where every outside program is required."""
    if os.environ.get("FUPIN_TEST_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (FUPIN_TEST_REQUIRE_ALL=1 makes it mandatory)", pytrace=False)
    pytest.skip(reason)
