#!/usr/bin/env bash
# The real Claude Code and Codex CLIs against `llmrouter serve`, offline: npm installs them into
# .ci/clis/ (exact versions in its package.json), then the tests run in a network namespace
# that has only a loopback interface, so a CLI switch we missed can never reach outside.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIS=.ci/clis
npm install --prefix "$CLIS" --no-audit --no-fund --no-package-lock --loglevel=error
# npm 11 runs no install scripts until approved; Claude Code's puts its native binary in place.
(cd "$CLIS/node_modules/@anthropic-ai/claude-code" && node install.cjs)
export LLMROUTER_CLI_TESTS=1 LLMROUTER_CLI_BIN="$PWD/$CLIS/node_modules/.bin"
exec unshare --net -- bash -c 'ip link set lo up && exec .venv/bin/pytest tests/gateway/clis -q ${PYTEST_ARGS:-}'
