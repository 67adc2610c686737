"""Made-up 居民身份证号 for tests: valid by GB 11643-1999, built from a counter, never a real person's."""

from __future__ import annotations

from services.idcards import check_char

#: 新宾满族自治县's region code; the birth date and sequence make each number distinct.
REGION = "210422"


def fake_id_number(serial: int, *, born: str = "19700101", region: str = REGION) -> str:
    """A valid number whose sequence digits are `serial` (0–999), so tests can tell them apart."""
    first17 = f"{region}{born}{serial:03d}"
    return first17 + check_char(first17)
