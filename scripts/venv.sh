#!/usr/bin/env bash
# Create the virtual environment and install materiel with the pinned versions.
# Usage: scripts/venv.sh VENV_DIR [EXTRAS]
set -euo pipefail
VENV=$1; EXTRAS=${2:-}
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "materiel needs Python 3.11 or newer (found $("$PY" --version))" >&2; exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
    if ! "$PY" -m venv "$VENV" 2>/dev/null; then
        # Debian ships venv support separately.
        echo "Installing python3-venv"
        if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
        rm -rf "$VENV"; "$PY" -m venv "$VENV"
    fi
    "$VENV/bin/pip" install -q --upgrade pip
fi
TARGET="."
[ -n "$EXTRAS" ] && TARGET=".[$EXTRAS]"
"$VENV/bin/pip" install -q -c constraints.txt -e "$TARGET"
