"""Load the knowledge base: once per process, and from a disk cache across processes.

The packaged plan text is the single source. Building it takes a few hundred milliseconds (cn2an
alone costs ~0.1 s to import), so the built knowledge base is cached as JSON under
`$XDG_CACHE_HOME/fupin` (or `~/.cache/fupin`), keyed by the text's sha256 and the builder version.
The builder version is a digest of the builder's own source and of the reviewed lexicon, so no one
has to remember to bump a number when the parser changes. An unwritable cache directory only
costs speed: the knowledge base is then built in memory. A built KB is never committed.
"""

from __future__ import annotations

import ast
import hashlib
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from policy_kb.schema import KnowledgeBase

#: The packaged plan, relative to the policy_kb package.
PLAN_RESOURCE = "sources/xinbin-2018-plan.txt"
#: Data files the builder reads besides its modules (the reviewed lexicon of names).
BUILDER_DATA: tuple[str, ...] = ("data/lexicon.json",)
#: Name of the cache sub-directory.
CACHE_APP_DIR = "fupin"


@lru_cache(maxsize=8)
def load_kb(path: str | Path | None = None) -> KnowledgeBase:
    """The knowledge base, cached per process.

    Args:
        path: None for the packaged plan (built once, then read from the disk cache); a `.json`
            file written by `fupin kb build` / `fupin kb export`; or any other file, read as a plan
            text and built.

    Raises:
        FileNotFoundError: when `path` does not exist.
        ValueError: when the JSON is not a knowledge base, or the text is not a plan
            (`policy_kb.builder.PlanParseError`).
    """
    if path is None:
        return _load_packaged()
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"找不到知识库文件：{path}")
    if path.suffix.lower() == ".json":
        return KnowledgeBase.model_validate_json(path.read_bytes())
    from policy_kb.builder import build_kb_from_file

    return build_kb_from_file(path)


def builder_version() -> str:
    """Digest of every module the builder is made of and of the data it reads: any change to them
    rebuilds cached KBs, with no list of files to keep up by hand (`builder_modules`)."""
    digest = hashlib.sha256()
    package = resources.files("policy_kb")
    for name in (*builder_modules(), *BUILDER_DATA):
        digest.update(name.encode())
        digest.update(package.joinpath(name).read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def builder_modules() -> tuple[str, ...]:
    """The builder package's modules and every `policy_kb` module they import, transitively, as
    paths inside the package (read from their import statements, not imported)."""
    package = Path(str(resources.files("policy_kb")))
    todo = sorted(str(p.relative_to(package)) for p in (package / "builder").glob("*.py"))
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((package / name).read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("policy_kb."):
                parts = node.module.split(".")[1:]
                module = "/".join(parts)
                todo.append(f"{module}/__init__.py" if (package / module).is_dir() else f"{module}.py")
    return tuple(sorted(seen))


def cache_dir() -> Path:
    """Where built knowledge bases are kept: $XDG_CACHE_HOME/fupin, else ~/.cache/fupin."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / CACHE_APP_DIR


def cache_path(text_bytes: bytes) -> Path:
    """The cache file for a plan text under the current builder version."""
    text_sha = hashlib.sha256(text_bytes).hexdigest()
    return cache_dir() / f"kb-{text_sha[:16]}-{builder_version()[:16]}.json"


def _load_packaged() -> KnowledgeBase:
    """The packaged plan's knowledge base: from the disk cache when fresh, else built and cached."""
    text_bytes = resources.files("policy_kb").joinpath(PLAN_RESOURCE).read_bytes()
    cached = cache_path(text_bytes)
    kb = _read_cache(cached)
    if kb is not None:
        return kb
    from policy_kb.builder import build_kb

    kb = build_kb(text_bytes.decode("utf-8"), filename=Path(PLAN_RESOURCE).name)
    _write_cache(cached, kb)
    return kb


def _read_cache(path: Path) -> KnowledgeBase | None:
    """A cached knowledge base, or None when absent, unreadable or stale in shape."""
    try:
        return KnowledgeBase.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError):
        return None


def _write_cache(path: Path, kb: KnowledgeBase) -> None:
    """Write atomically (temp file + rename), so a concurrent reader never sees half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, suffix=".tmp", delete=False) as tmp:
            tmp.write(kb.model_dump_json().encode("utf-8"))
        os.replace(tmp.name, path)
    except OSError:
        return  # read-only home, full disk…: the in-memory KB serves this process all the same
