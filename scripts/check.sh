#!/usr/bin/env bash
# Every check CI runs, in order, stopping at the first that fails: lint, formatting, types,
# the architecture (import layers, no cycles), the tutorial notebooks (each one run, and
# compared with the stored one), the docs site (`mkdocs build --strict`: no warnings, no
# broken links), then the tests with the package's doctests.
# Extra arguments go to pytest (e.g. `bash scripts/check.sh -x -k tensor`).
set -euo pipefail
cd "$(dirname "$0")/.."

step() {
  local start=$SECONDS
  printf '\n== %s\n' "$*" >&2
  "$@"
  printf '== %s: %ss\n' "$*" $((SECONDS - start)) >&2
}

step ruff check .
step ruff format --check .
step mypy
step lint-imports
step python3 scripts/build_notebooks.py --check
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
NO_MKDOCS_2_WARNING=1 step mkdocs build --strict --quiet --site-dir "$site"
step python3 -m pytest "$@"
