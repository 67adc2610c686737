"""A plan's text as every reader takes it: sentences, clauses, compact form; and the error a text
that is no plan raises."""

from __future__ import annotations

import hashlib
import re

from policy_kb.builder.genre import CLAUSE_SEPARATORS, CLOSERS, OPENERS, SENTENCE_ENDS


class PlanParseError(ValueError):
    """The text is not a plan this builder can read; the message says what is missing, in Chinese."""


def text_sha256(text: str) -> str:
    """The sha256 recorded for a plan text (of its UTF-8 bytes)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, each keeping its closing punctuation; never split inside brackets."""
    return [s for s in split_top_level(paragraph, SENTENCE_ENDS, keep=True) if s.strip("".join(OPENERS))]


def split_clauses(sentence: str) -> list[str]:
    """Clauses of a sentence, split at top-level commas and colons (separators dropped)."""
    return split_top_level(sentence.rstrip(SENTENCE_ENDS), CLAUSE_SEPARATORS, keep=False)


def split_top_level(text: str, separators: str, *, keep: bool) -> list[str]:
    """Split at separators that stand outside any bracket or quotation mark."""
    parts: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        elif ch in separators and depth == 0:
            parts.append(text[start : i + 1] if keep else text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def compact(text: str) -> str:
    """Drop the spaces the plan puts around figures and Latin letters, except between two Latin words."""
    return re.sub(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])", "", text.strip())
