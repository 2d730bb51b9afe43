#!/usr/bin/env bash
# One entry point for the README's two commands.
#   bash scripts/dev.sh run    set up .venv, then run the system on embedded defaults with demo data
#   bash scripts/dev.sh test   set up .venv, then run lint, the generated-code check and every test
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  for c in python3.11 python3 python; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      echo "$c"; return 0
    fi
  done
  echo "Python 3.11 is required (python3.11 not found)" >&2
  return 1
}

setup() {
  if [ ! -x .venv/bin/python ]; then
    "$(pick_python)" -m venv .venv
  fi
  # Reinstall only when the dependency list changed.
  stamp=.venv/.hakobu-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[dev]'
    touch "$stamp"
  fi
}

cmd="${1:-run}"
shift || true
case "$cmd" in
  run)
    setup
    exec .venv/bin/hakobu demo "$@"
    ;;
  test)
    setup
    .venv/bin/python scripts/gen_proto.py --check
    .venv/bin/ruff check .
    exec .venv/bin/python -m pytest -q "$@"
    ;;
  *)
    echo "usage: bash scripts/dev.sh run|test" >&2
    exit 2
    ;;
esac
