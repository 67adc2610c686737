"""`python -m bench [NAME ...]` (or `make bench`): run every benchmark, or only those named, and print their figures."""

import sys

from bench import broadcast, dashboard, export, flood, qa, throughput

#: Each benchmark by the name `python -m bench NAME` runs it with.
BENCHES = {
    "qa": qa.main,
    "dashboard": lambda: dashboard.main([]),
    "broadcast": broadcast.main,
    "export": lambda: export.main([]),
    "throughput": throughput.main,
    "flood": flood.main,
}

unknown = [name for name in sys.argv[1:] if name not in BENCHES]
if unknown:
    sys.exit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
for name in sys.argv[1:] or BENCHES:
    BENCHES[name]()
