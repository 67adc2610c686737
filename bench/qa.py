"""Question answering speed: a warm answer (median, p95) and one cold `fupin ask` end to end.

Targets (issue 3): warm answer ≤ 2 ms median; cold `fupin ask` ≤ 1.5 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "data" / "qa-own.jsonl"


def _questions() -> list[str]:
    with open(QUESTIONS, encoding="utf-8") as f:
        return [json.loads(line)["q"] for line in f if line.strip()]


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
    subprocess.run(command, check=True, capture_output=True, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return {"runs": runs, "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def main() -> None:
    print("qa warm answer:", json.dumps(warm()), "(target: median ≤ 2 ms)")
    print("qa cold `fupin ask`:", json.dumps(cold()), "(target: ≤ 1.5 s)")


if __name__ == "__main__":
    main()
