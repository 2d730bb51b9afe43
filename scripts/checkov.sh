#!/usr/bin/env bash
# Static analysis of terraform/ with checkov, pinned here. checkov's own dependencies conflict with the
# project's pins (it needs an old networkx), so it lives in its own virtualenv under var/tools/, made on
# first use from PyPI. Extra arguments go to checkov. Exit status: checkov's (non-zero on a failed check).
set -euo pipefail
cd "$(dirname "$0")/.."

CHECKOV_VERSION="3.3.30"
TOOL="var/tools/checkov-$CHECKOV_VERSION"

if ! "$TOOL/bin/python" -c "import checkov.main" >/dev/null 2>&1; then
  python="${HAKOBU_PYTHON:-}"
  if [ -z "$python" ]; then
    for c in python3.11 python3.12 python3.13 python3; do
      command -v "$c" >/dev/null 2>&1 && { python="$c"; break; }
    done
  fi
  echo "checkov.sh: installing checkov $CHECKOV_VERSION into $TOOL" >&2
  rm -rf "$TOOL"
  "$python" -m venv "$TOOL"
  "$TOOL/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi

# --quiet: only failed checks. CHECKOV_ALL=1 lists the passed and skipped ones too (the test reads the
# skips' reasons and which environments reached the stack).
quiet=(--quiet)
[ "${CHECKOV_ALL:-0}" = 1 ] && quiet=()
exec "$TOOL/bin/python" -m checkov.main --directory terraform --framework terraform "${quiet[@]}" --compact \
  --skip-download "$@"
