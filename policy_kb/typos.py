"""Typos as households make them: homophones (危方 for 危房, 挂好费 for 挂号费) and near-misses.

Pinyin catches the homophones a phone keyboard produces; rapidfuzz catches a slipped character in a
longer term. Both only look at the parts of a question that no known phrase already explains.

A character is compared by its commonest reading, tones dropped. That needs only pypinyin's
character table: its phrase dictionary, which picks a reading by context, costs a fifth of a second
at start-up and did not change a single answer of the question sets, so it is switched off
(`PYPINYIN_NO_PHRASES`, pypinyin's own switch for that).
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import fuzz, process

os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
from pypinyin.pinyin_dict import pinyin_dict  # noqa: E402  (after the switch above)

#: Shortest and longest phrase compared by sound.
SOUND_MIN, SOUND_MAX = 2, 6
#: Shortest run of letters read as pinyin ("ct" and "mri" are the plan's own words).
PINYIN_MIN = 4
#: Shortest spelling looked for inside a longer run of pinyin (two syllables such as "tijian"):
#: shorter ones turn up inside other words by chance.
PINYIN_INSIDE_MIN = 6
NUMERAL_RE = re.compile(r"[〇零一二两三四五六七八九十百千万]")
#: Shortest uncovered run worth a fuzzy comparison, and the similarity (0–100) it needs.
FUZZY_MIN_LENGTH, FUZZY_CUTOFF = 4, 80


@lru_cache(maxsize=8192)
def sound(char: str) -> str:
    """The commonest reading of `char` without its tone (a character with none stands for itself)."""
    marked = pinyin_dict.get(ord(char))
    if marked is None:
        return char
    first = marked.split(",")[0]
    return "".join(c for c in unicodedata.normalize("NFD", first) if not unicodedata.combining(c))


def sounds(text: str) -> tuple[str, ...]:
    return tuple(sound(char) for char in text)


class TypoMatcher:
    """Maps a misspelt piece of a question to the known phrases it may have been meant to be.

    Phrases that sound alike (中职 and 种植, both zhongzhi) are all returned: the rest of the
    question ("…学生有补贴不") decides between them, as it does for any other word.
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        self._by_sound: dict[tuple[str, ...], list[str]] = {}
        #: The same phrases by their pinyin typed out ("xiaoxue" -> 小学), when the phone's input
        #: method was not switched to characters.
        self._by_pinyin: dict[str, list[str]] = {}
        self._long: list[str] = []
        for phrase in sorted(phrases):
            if SOUND_MIN <= len(phrase) <= SOUND_MAX and all("\u3400" <= ch <= "\u9fff" for ch in phrase):
                self._by_sound.setdefault(sounds(phrase), []).append(phrase)
                self._by_pinyin.setdefault("".join(sounds(phrase)), []).append(phrase)
            if len(phrase) >= FUZZY_MIN_LENGTH:
                self._long.append(phrase)
        #: Pinyin spellings long enough to be found inside a longer run of letters, longest first;
        #: not those of phrases with a numeral ("yinianji" 一年级 turns up in "yinian jici" 一年几次).
        self._inside_keys = sorted(
            (
                key
                for key, phrases in self._by_pinyin.items()
                if len(key) >= PINYIN_INSIDE_MIN and not any(NUMERAL_RE.search(p) for p in phrases)
            ),
            key=len,
            reverse=True,
        )

    def by_sound(self, text: str, covered: set[int]) -> list[str]:
        """Known phrases that sound like a stretch of `text` not already covered by a match."""
        spoken = sounds(text)
        found: list[str] = []
        for size in range(SOUND_MAX, SOUND_MIN - 1, -1):
            for start in range(0, len(text) - size + 1):
                span = set(range(start, start + size))
                if span & covered:  # a character a known phrase explains is no typo
                    continue
                alike = self._by_sound.get(spoken[start : start + size], [])
                if alike and text[start : start + size] not in alike:
                    found.extend(alike)
                    covered |= span
        return found

    def by_pinyin(self, text: str) -> list[str]:
        """Known phrases typed as pinyin in `text`: a run of letters spelling one phrase, or a
        whole message typed in pinyin ("pinkunhu tijian mianfei ma" -> 贫困户, 体检, 免费), read
        longest phrase first, each letter for one phrase only."""
        found: list[str] = []
        for run in re.findall(rf"[a-z]{{{PINYIN_MIN},}}", text):
            if run in self._by_pinyin:
                found.extend(self._by_pinyin[run])
                continue
            taken: list[tuple[int, int]] = []
            for key in self._inside_keys:
                start = run.find(key)
                while start != -1:
                    end = start + len(key)
                    if all(end <= a or start >= b for a, b in taken):
                        taken.append((start, end))
                        found.extend(self._by_pinyin[key])
                    start = run.find(key, end)
        return found

    def by_spelling(self, run: str) -> str | None:
        """The known long phrase closest to `run`, when it is close enough to be a slip."""
        if len(run) < FUZZY_MIN_LENGTH:
            return None
        best = process.extractOne(run, self._long, scorer=fuzz.partial_ratio, score_cutoff=FUZZY_CUTOFF)
        return best[0] if best else None
