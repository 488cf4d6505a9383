#!/usr/bin/env bash
# Seeds N items into a fresh PostgreSQL cluster, then times the past-day reads at once and again after
# a manual ANALYZE (scripts/fresh-statistics.py). Usage: scripts/fresh-statistics.sh [ITEMS]
set -euo pipefail
cd "$(dirname "$0")/.."
ITEMS=${1:-100000}
scripts/with-postgres.sh bash -c "
    .venv/bin/materiel migrate -v 0 &&
    time .venv/bin/materiel seed --items $ITEMS &&
    DJANGO_SETTINGS_MODULE=materiel.settings .venv/bin/python scripts/fresh-statistics.py
"
