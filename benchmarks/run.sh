#!/usr/bin/env bash
# Side by side in one compare.py run: the official SDK's server first, mcp-toolhost second.
#   benchmarks/run.sh            quick (~1 min)
#   benchmarks/run.sh --full --json benchmarks/latest.json
# Options go to ../shared/bench/vs-sdk.sh (read its README); it builds the reference venv once.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="${BENCH_DIR:-$root/../shared/bench}"
server="$(command -v mcp-toolhost || echo "$root/.venv/bin/mcp-toolhost")"
exec "$bench/vs-sdk.sh" "$@" -- "$server" serve --tools "$root/examples/bench_tools.py"
