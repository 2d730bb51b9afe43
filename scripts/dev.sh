#!/usr/bin/env bash
# One entry point for the README's two commands.
#   bash scripts/dev.sh run    set up .venv, then run the system on embedded defaults with demo data
#   bash scripts/dev.sh test   set up .venv, then run lint, the generated-code check and every test
# Python 3.11, 3.12 or 3.13: the newest one found on PATH makes the virtualenv. An existing working
# virtualenv is kept. HAKOBU_PYTHON (a command or path) chooses the interpreter and remakes the
# virtualenv if it was made by another version; HAKOBU_VENV names the virtualenv folder (default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."

SUPPORTED="3.11 3.12 3.13"
VENV="${HAKOBU_VENV:-.venv}"

say() { echo "dev.sh: $*" >&2; }

# "3.13" when $1 runs and is a supported Python, nothing otherwise.
python_version() {
  "$1" -c 'import sys; v = sys.version_info[:2]; (3, 11) <= v <= (3, 13) and print("%d.%d" % v)' \
    2>/dev/null || true
}

pick_python() {
  local best="" best_version="" c v
  if [ -n "${HAKOBU_PYTHON:-}" ]; then
    v="$(python_version "$HAKOBU_PYTHON")"
    if [ -z "$v" ]; then
      say "HAKOBU_PYTHON=$HAKOBU_PYTHON is not a working Python $SUPPORTED"
      return 1
    fi
    echo "$HAKOBU_PYTHON"; return 0
  fi
  local others=""
  for c in python3.13 python3.12 python3.11 python3 python; do
    command -v "$c" >/dev/null 2>&1 || continue
    v="$(python_version "$c")"
    if [ -z "$v" ]; then  # not supported, or a shim with no interpreter behind it
      v="$("$c" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
      [ -z "$v" ] || others+=" $c ($v)"
      continue
    fi
    if [ -z "$best" ] || [ "${v#3.}" -gt "${best_version#3.}" ]; then
      best="$c"; best_version="$v"
    fi
  done
  if [ -z "$best" ]; then
    [ -n "$others" ] && others="found only${others}" || others="none on PATH"
    say "no Python 3.11-3.13 found ($others): install Python 3.13, 3.12 or 3.11" \
      "(python3.13 … on PATH) or set HAKOBU_PYTHON"
    return 1
  fi
  echo "$best"
}

setup() {
  local py venv_version want
  venv_version="$( [ -x "$VENV/bin/python" ] && python_version "$VENV/bin/python" || true)"
  if [ -n "$venv_version" ] && [ -z "${HAKOBU_PYTHON:-}" ]; then
    say "using Python $venv_version in $VENV"
  else
    py="$(pick_python)"
    want="$(python_version "$py")"
    if [ "$venv_version" != "$want" ]; then
      say "making $VENV with Python $want ($(command -v "$py" || echo "$py"))"
      if ! "$py" -m venv --clear "$VENV"; then
        say "could not make a virtualenv with $py (on Debian or Ubuntu: apt install python$want-venv)"
        return 1
      fi
      rm -f "$VENV/.hakobu-installed"
    else
      say "using Python $want in $VENV"
    fi
  fi
  # Reinstall only when the dependency list changed.
  local stamp="$VENV/.hakobu-installed"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e '.[dev]'
    touch "$stamp"
  fi
  web_setup
}

# The web pages' pinned front-end packages (gateway/web/package-lock.json), when node is here. Their
# browser files are also committed under gateway/web/static/vendor, so without node (or without the
# npm registry) the gateway serves the same pinned files.
web_setup() {
  local web=gateway/web
  command -v npm >/dev/null 2>&1 || return 0
  if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
    (cd "$web" && npm ci --silent --no-audit --no-fund && node scripts/vendor.mjs >/dev/null) \
      || say "npm ci failed in $web: serving the committed copies in $web/static/vendor"
  fi
}

cmd="${1:-run}"
shift || true
case "$cmd" in
  run)
    setup
    exec "$VENV/bin/hakobu" demo "$@"
    ;;
  test)
    setup
    "$VENV/bin/python" scripts/gen_proto.py --check
    "$VENV/bin/ruff" check .
    exec "$VENV/bin/python" -m pytest -q "$@"
    ;;
  *)
    echo "usage: bash scripts/dev.sh run|test" >&2
    exit 2
    ;;
esac
