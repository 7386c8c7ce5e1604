#!/usr/bin/env bash
# The official MCP conformance suite (server scenarios) against examples/conformance_server.py over
# Streamable HTTP. Needs Node 22 or newer (fs.globSync); with an older node, npm fetches node 22 itself.
# Usage: benchmarks/conformance.sh [SUITE ARGS...]   e.g. --scenario tools-call-simple-text, --suite all
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=0.2.0-alpha.12
log=$(mktemp)
mcp-toolhost serve --http 0 --no-builtins --tools examples/conformance_server.py 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
until url=$(grep -o 'http://[^ ]*' "$log"); do kill -0 $server; sleep 0.1; done
node=(); [[ $(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0) -ge 22 ]] || node=(-p node@22)
npx -y "${node[@]}" -p "@modelcontextprotocol/conformance@$VERSION" conformance server --url "$url" "$@"
