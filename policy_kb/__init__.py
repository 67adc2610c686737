"""The plan as data: the knowledge base, its builder and loader. Knows nothing of Telegram."""

from __future__ import annotations

from policy_kb.loader import load_kb
from policy_kb.results import Alternative, Answer, Route
from policy_kb.schema import KnowledgeBase


def build_kb(text: str, *, filename: str = "plan.txt") -> KnowledgeBase:
    """Build a knowledge base from a plan's text (see `policy_kb.builder.build_kb`).

    The builder is imported on call, so that `import policy_kb` stays fast for a cached load.
    """
    from policy_kb.builder import build_kb as _build

    return _build(text, filename=filename)


def answer(question: str) -> Answer:
    """Answer a household's question from the packaged plan (see `policy_kb.qa.Engine.answer`).

    The engine (jieba, the index) loads on first call and is reused.
    """
    from policy_kb.qa import answer as _answer

    return _answer(question)


def route(text: str) -> Route:
    """Route a free-text item to the plan's responsible units (see `policy_kb.routing`)."""
    from policy_kb.routing import route as _route

    return _route(text)


__all__ = ["Alternative", "Answer", "KnowledgeBase", "Route", "answer", "build_kb", "load_kb", "route"]
