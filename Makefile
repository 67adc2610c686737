# Two commands on a fresh machine with Python 3.11+ and make: `make run`, `make test`.
#
# .venv is synced by uv from the committed uv.lock, so every install gets the same versions. uv is
# taken from PATH when the machine has it, otherwise installed from the package index into .tools
# (a venv of its own, so nothing is installed into the system's or the user's Python).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.synced
TOOLS := .tools
#: The uv installed into .tools when the machine has none; raise it with the lock's uv (`uv --version`).
UV_VERSION := 0.13.9
UV ?= $(or $(shell command -v uv 2>/dev/null),$(TOOLS)/bin/uv)

# The interpreter is the machine's $(PYTHON): uv never downloads one (no network beyond the package index).
export UV_PYTHON_DOWNLOADS ?= never
# The environment is .venv whatever the caller's own uv settings say: .ci/run, bench and the README use it.
export UV_PROJECT_ENVIRONMENT := $(VENV)

.DEFAULT_GOAL := setup
.PHONY: setup install lock run test lint bench eval clean

define require_python
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" 2>/dev/null \
		|| { echo "需要 Python 3.11 或更新版本 (Python 3.11+ is required): PYTHON=$(PYTHON)"; exit 1; }
endef

setup: $(STAMP)

$(TOOLS)/bin/uv:
	$(require_python)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Synced again whenever pyproject.toml or uv.lock change; --locked refuses a lock that no longer
# matches pyproject.toml (run `make lock` after changing a dependency). Bytecode is compiled at
# install, as pip does: a first import then warns of nothing (jieba's old escapes) and costs nothing.
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(require_python)
	$(UV) sync --locked --extra dev --compile-bytecode --python $(PYTHON)
	touch $(STAMP)

# A server's install: the locked runtime dependencies only (no test or lint tools), and fupin itself
# as a copy rather than a link to the source, so a `git pull` changes nothing until the next install.
# fupin is built again every time: uv would otherwise keep its copy until pyproject.toml changes.
install: | $(UV)
	$(require_python)
	rm -f $(STAMP)
	$(UV) sync --locked --no-editable --reinstall-package fupin --compile-bytecode --python $(PYTHON)

# Write uv.lock again after a change to pyproject.toml; `make lock UPGRADE=chinese-calendar` also
# takes the newest release of the packages named (the yearly calendar bump).
lock: | $(UV)
	$(UV) lock --python $(PYTHON) $(addprefix --upgrade-package ,$(UPGRADE))

run: $(STAMP)
	$(VENV)/bin/fupin serve

# The suite runs on every core (pytest-xdist): most of its time is the bot waiting on Telegram's
# flood limits, as it would in production. One worker: `make test TEST_WORKERS=0`.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check bot emulator policy_kb services tests bench
	$(VENV)/bin/ruff format --check bot emulator policy_kb services tests bench
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(VENV)/bin/python -m bench

eval: $(STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" ../shared/eval/run -v

clean:
	rm -rf $(VENV) $(TOOLS) build .pytest_cache .mypy_cache .ruff_cache *.egg-info
