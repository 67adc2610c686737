"""What the builder could not place in a plan, line by line, so that a build is never silently wrong.

A plan of the genre that the builder reads only in part still gives a knowledge base: the office
needs to see what was left out before the plan goes live. Every reader of the builder that meets
text it cannot place calls `BuildReport.warn` with the text's line number; `fupin kb build` prints
the warnings and `--strict` refuses the build when there is any.

To add a kind of warning: add it to `WarningKind`, call
`report.warn(line, "that_kind", excerpt)` where the reader gives up, and give the kind its Chinese
label in `bot/commands/texts.py` (`KB_WARNING_KINDS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: What could not be placed:
#: - no_responsibility: a paragraph under no responsibility statement (its text is in no measure);
#: - heading: a heading the builder could not read (numbering out of sequence, a title too long);
#: - responsibility: a responsibility statement whose units could not be read;
#: - annex: a line of an 附件 table that is not a row of figures, or a total that does not add up;
#: - unplaced_figure: a figure of a measure's text that no target, benefit or duty accounts for.
WarningKind = Literal["no_responsibility", "heading", "responsibility", "annex", "unplaced_figure"]

#: How much of the offending text a warning quotes.
EXCERPT_CHARS = 40


@dataclass(frozen=True)
class BuildWarning:
    """One thing the builder could not place: where (1-based line of the text), what kind, and
    the text itself (cut to `EXCERPT_CHARS`)."""

    line: int
    kind: WarningKind
    text: str


@dataclass
class BuildReport:
    """The warnings of one build, in the order the readers met them."""

    warnings: list[BuildWarning] = field(default_factory=list)

    def warn(self, line: int, kind: WarningKind, text: str) -> None:
        """Record that the text at `line` could not be placed (the hook every reader uses)."""
        excerpt = text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"
        self.warnings.append(BuildWarning(line, kind, excerpt))

    def sorted(self) -> list[BuildWarning]:
        """The warnings in text order (readers run in several passes)."""
        return sorted(self.warnings, key=lambda w: w.line)
