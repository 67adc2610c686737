"""The plan as data: the knowledge base, its builder and loader. Knows nothing of Telegram."""

from __future__ import annotations

from policy_kb.loader import load_kb
from policy_kb.schema import KnowledgeBase


def build_kb(text: str, *, filename: str = "plan.txt") -> KnowledgeBase:
    """Build a knowledge base from a plan's text (see `policy_kb.builder.build_kb`).

    The builder is imported on call, so that `import policy_kb` stays fast for a cached load.
    """
    from policy_kb.builder import build_kb as _build

    return _build(text, filename=filename)


__all__ = ["KnowledgeBase", "build_kb", "load_kb"]
