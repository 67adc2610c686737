# Two commands on a fresh machine with Python 3.11+ and make: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test lint bench eval clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" || { echo "需要 Python 3.11 或更新版本 (Python 3.11+ is required)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/fupin serve

test: $(STAMP)
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check bot policy_kb services tests bench
	$(VENV)/bin/ruff format --check bot policy_kb services tests bench
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(VENV)/bin/python -m bench

eval: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ../shared/eval/run -v

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
