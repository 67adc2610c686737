"""Typos as households make them: homophones (危方 for 危房, 挂好费 for 挂号费) and near-misses.

Pinyin catches the homophones a phone keyboard produces; rapidfuzz catches a slipped character in a
longer term. Both only look at the parts of a question that no known phrase already explains.
"""

from __future__ import annotations

from collections.abc import Iterable

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

#: Shortest and longest phrase compared by sound.
SOUND_MIN, SOUND_MAX = 2, 6
#: Shortest uncovered run worth a fuzzy comparison, and the similarity (0–100) it needs.
FUZZY_MIN_LENGTH, FUZZY_CUTOFF = 4, 80


class TypoMatcher:
    """Maps a misspelt piece of a question to the known phrase it was meant to be."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_sound: dict[tuple[str, ...], str] = {}
        self._long: list[str] = []
        for phrase in phrases:
            if SOUND_MIN <= len(phrase) <= SOUND_MAX and all("\u3400" <= ch <= "\u9fff" for ch in phrase):
                self._by_sound.setdefault(tuple(lazy_pinyin(phrase)), phrase)
            if len(phrase) >= FUZZY_MIN_LENGTH:
                self._long.append(phrase)

    def by_sound(self, text: str, covered: set[int]) -> list[str]:
        """Known phrases that sound like a stretch of `text` not already covered by a match."""
        sounds = lazy_pinyin(text)
        found: list[str] = []
        for size in range(SOUND_MAX, SOUND_MIN - 1, -1):
            for start in range(0, len(text) - size + 1):
                span = set(range(start, start + size))
                if span & covered:  # a character a known phrase explains is no typo
                    continue
                phrase = self._by_sound.get(tuple(sounds[start : start + size]))
                if phrase is not None and phrase != text[start : start + size]:
                    found.append(phrase)
                    covered |= span
        return found

    def by_spelling(self, run: str) -> str | None:
        """The known long phrase closest to `run`, when it is close enough to be a slip."""
        if len(run) < FUZZY_MIN_LENGTH:
            return None
        best = process.extractOne(run, self._long, scorer=fuzz.partial_ratio, score_cutoff=FUZZY_CUTOFF)
        return best[0] if best else None
