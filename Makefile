# Two commands do all set-up on a fresh machine with Python >= 3.10 and make:
#   make demo   creates .venv, installs llmrouter alone (no dev tools), runs the offline demo
#   make test   creates .venv, installs dev tools, runs lint, types, tests, docs build
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
STAMP  := $(VENV)/.installed-stamp
DEMO_STAMP := $(VENV)/.demo-stamp

.PHONY: install demo test lint typecheck unit docs bench bench-gateway gateway-clis cli-clients clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The demo needs llmrouter's own dependencies only: no litellm, no dev tools.
$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/llmrouter demo

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks scripts
	$(BIN)/ruff format --check src tests examples scripts

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

docs: $(STAMP)
	$(BIN)/mkdocs build --strict --quiet --site-dir $(VENV)/site

test: lint typecheck docs unit cli-clients

# The real Claude Code and Codex CLIs against `llmrouter serve` (npm, a loopback-only netns).
gateway-clis: $(STAMP)
	bash .ci/gateway-clis.sh

# Part of `make test`: required in CI (CI=1, set by .ci/run); elsewhere run when npm and a
# network namespace are available, and said out loud when they are not.
cli-clients: $(STAMP)
	@if [ -n "$$CI" ] || { command -v npm >/dev/null 2>&1 && unshare --net true 2>/dev/null; }; then \
		bash .ci/gateway-clis.sh; \
	else \
		echo "make test: NOT RUN: the Claude Code and Codex CLI tests need npm and 'unshare --net' (root); .ci/run runs them"; \
	fi

# Speed and memory figures beside the peers (litellm, raw aiohttp/httpx); ~10 minutes.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/cache_hits.py
	$(BIN)/python benchmarks/tracing_overhead.py
	$(BIN)/python benchmarks/routing_decision.py
	$(BIN)/python benchmarks/resilience_load.py
	$(BIN)/python benchmarks/data_policy.py
	$(BIN)/python benchmarks/eval_throughput.py

# llmrouter serve beside LiteLLM's proxy and an aiohttp floor (~10 minutes; makes its own venv).
bench-gateway: $(STAMP)
	$(BIN)/python benchmarks/gateway.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache site
