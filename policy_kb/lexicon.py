"""The small reviewed lexicon: display names of indicators and names of education stages.

It holds only what a parser cannot read off the text — a friendlier name for an awkward indicator
phrase, or the knowledge that 普通高中 and 中等职业学校 are two separate school stages. It never
carries a figure or a unit: those come from the plan alone, and the loader refuses a lexicon that
tries to supply one.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from policy_kb.numbers import find_quantities

#: Package-relative location of the reviewed lexicon.
LEXICON_RESOURCE = "data/lexicon.json"
#: Any Arabic digit (half- or full-width) in a lexicon string smells of a figure.
_DIGIT = re.compile(r"[0-9０-９]")


class IndicatorEntry(BaseModel):
    """Reader-facing names of one indicator phrase of the plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    display_name: str | None = None
    aliases: list[str] = Field(default_factory=list)


class Lexicon(BaseModel):
    """Names the text does not spell out; never figures."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    indicators: dict[str, IndicatorEntry] = Field(default_factory=dict)
    #: Education stages as the plan names them -> everyday names (学前教育 -> 学前班, 幼儿园).
    stages: dict[str, list[str]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _no_figures(self) -> Lexicon:
        """Refuse any string that carries a figure, so the lexicon can never override the text."""
        for text in self._strings():
            if _DIGIT.search(text) or find_quantities(text):
                raise ValueError(f"词表不得包含数字或数量：{text!r}")
        return self

    def _strings(self) -> list[str]:
        names: list[str] = []
        for key, entry in self.indicators.items():
            names += [key, *(entry.aliases)]
            if entry.display_name:
                names.append(entry.display_name)
        for stage, everyday in self.stages.items():
            names += [stage, *everyday]
        return names

    def display_name(self, indicator: str) -> str | None:
        """The reviewed display name of an indicator phrase, or None."""
        entry = self.indicators.get(indicator)
        return entry.display_name if entry else None

    def stages_in(self, text: str) -> list[str]:
        """The education stages named in `text`, in order of appearance."""
        found = [(text.find(stage), stage) for stage in self.stages if stage in text]
        return [stage for _, stage in sorted(found)]


def lexicon_bytes() -> bytes:
    """The packaged lexicon file, as bytes (its hash keys the knowledge-base cache)."""
    return resources.files("policy_kb").joinpath(LEXICON_RESOURCE).read_bytes()


def lexicon_sha256() -> str:
    """Hash of the packaged lexicon: a reviewed edit must rebuild the cached knowledge base."""
    return hashlib.sha256(lexicon_bytes()).hexdigest()


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged lexicon, validated once per process."""
    return Lexicon.model_validate(json.loads(lexicon_bytes().decode("utf-8")))
