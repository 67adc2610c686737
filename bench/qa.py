"""Question answering: how right it is on the own sets, and how fast.

Per set under `tests/data/` (qa-*.jsonl): fact, precise, unit, out of scope, "no figure in the
plan", the share of confident wrong answers among in-scope questions (a wrong figure said without
a question back), and one figure per kind (a case's kind is its id's prefix, e.g. `multi-3` ->
multi). Then speed: a warm answer (median, p95) and one cold `fupin ask` end to end.

Targets (issue 11): confident wrong ≤ 2% of in-scope questions; warm answer ≤ 2 ms median;
cold `fupin ask` ≤ 1.0 s.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
QUESTIONS = DATA / "qa-own.jsonl"

#: An amount in an answer: a figure followed by a money or share unit (the plan's year is none).
AMOUNT_PATTERN = re.compile(r"(?<![\d.])(?!2018)\d+(?:\.\d+)?(?:元|块|万|%|折)")


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def load_cases(path: Path) -> list[dict[str, Any]]:
    """A question set: one JSON object per line."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(cases: list[dict[str, Any]], kb: Path | None = None) -> dict[str, Any]:
    """How the engine does on `cases` (answered from the plan at `kb`, else the packaged one),
    judged as `../shared/eval/score.py` judges (`must`, `not`, `unit`, `oos`, `nofig`), with the
    confident wrong answers and a figure per kind."""
    from bot.telegram.render import wants_alternatives
    from policy_kb.qa import answer

    n: Counter[str] = Counter()
    ok: Counter[str] = Counter()
    kinds: dict[str, list[int]] = {}
    for case in cases:
        result = answer(case["q"], kb=kb)
        text = _norm(result.answer)
        if case.get("oos"):
            n["oos"] += 1
            good = result.matched is False
            ok["oos"] += good
        elif case.get("nofig"):
            n["nofig"] += 1
            good = bool(text) and not AMOUNT_PATTERN.search(text)
            ok["nofig"] += good
        else:
            n["fact"] += 1
            good = result.matched and all(any(_norm(a) in text for a in group) for group in case["must"])
            ok["fact"] += good
            ok["precise"] += good and not any(_norm(x) in text for x in case.get("not", []))
            # A wrong answer said as sure: no "did you mean" question back offered with it.
            ok["confident_wrong"] += result.matched and not good and not wants_alternatives(result)
        if case.get("unit") and not case.get("oos"):
            n["unit"] += 1
            ok["unit"] += bool(result.units) and result.units[0] == case["unit"]
        tally = kinds.setdefault(case["id"].split("-")[0], [0, 0])
        tally[0] += bool(good)
        tally[1] += 1
    figures: dict[str, Any] = {
        "fact": ok["fact"] / max(n["fact"], 1),
        "precise": ok["precise"] / max(n["fact"], 1),
        "unit": ok["unit"] / max(n["unit"], 1),
        "oos": ok["oos"] / max(n["oos"], 1),
        "confident_wrong": ok["confident_wrong"] / max(n["fact"], 1),
    }
    if n["nofig"]:
        figures["nofig"] = ok["nofig"] / n["nofig"]
    figures = {k: round(v, 3) for k, v in figures.items()}
    figures["n"] = len(cases)
    figures["by_kind"] = {k: f"{good}/{total}" for k, (good, total) in kinds.items()}
    return figures


def accuracy() -> dict[str, dict[str, Any]]:
    """`score` for every own question set under tests/data/; a set `qa-plan-NAME.jsonl` asks about
    another county's plan, `tests/data/plans/NAME.txt`, and is answered from it."""
    return {path.name: score(load_cases(path), plan_of(path)) for path in sorted(DATA.glob("qa-*.jsonl"))}


def plan_of(path: Path) -> Path | None:
    """The plan a question set asks about: its own for `qa-plan-NAME.jsonl`, else the packaged one."""
    name = path.stem.removeprefix("qa-plan-")
    return DATA / "plans" / f"{name}.txt" if name != path.stem else None


def _questions() -> list[str]:
    return [case["q"] for case in load_cases(QUESTIONS)]


def warm(rounds: int = 5) -> dict[str, float]:
    """Per-question latency with the engine already loaded, over every own question `rounds` times."""
    from policy_kb.qa import load_engine

    engine = load_engine()
    questions = _questions()
    engine.answer(questions[0])
    timings: list[float] = []
    for _ in range(rounds):
        for q in questions:
            start = time.perf_counter()
            engine.answer(q)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "questions": len(timings),
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(len(timings) * 0.95)], 3),
    }


def cold(runs: int = 5) -> dict[str, float]:
    """Wall time of a whole `fupin ask "…"` process (interpreter start included), after one warm-up
    run that fills the on-disk caches as the first run on a machine does."""
    fupin = Path(sys.executable).with_name("fupin")
    command = [str(fupin), "ask", "娃上初中一年补多少钱", "--json"]
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, not the one the console script was installed from
    subprocess.run(command, check=True, capture_output=True, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return {"runs": runs, "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def main() -> None:
    for name, figures in accuracy().items():
        print(f"qa {name}:", json.dumps(figures, ensure_ascii=False), "(target: confident_wrong ≤ 0.02)")
    print("qa warm answer:", json.dumps(warm()), "(target: median ≤ 2 ms)")
    print("qa cold `fupin ask`:", json.dumps(cold()), "(target: ≤ 1.0 s)")


if __name__ == "__main__":
    main()
