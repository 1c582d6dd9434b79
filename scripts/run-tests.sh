#!/usr/bin/env bash
# Run the whole suite twice: on a throwaway PostgreSQL cluster and on SQLite.
set -euo pipefail
pg_dir=$1; pg_port=$2
here=$(cd "$(dirname "$0")/.." && pwd)
url=$("$here/scripts/pg-cluster.sh" start "$pg_dir" "$pg_port")
trap '"$here/scripts/pg-cluster.sh" stop "$pg_dir"' EXIT
status=0
echo "== PostgreSQL ($url)"
MEDREG_DATABASE_URL="$url" "$here/.venv/bin/pytest" -q "${@:3}" || status=$?
echo "== SQLite"
MEDREG_DATABASE_URL="sqlite:///$(mktemp -d)/medreg-test.sqlite3" "$here/.venv/bin/pytest" -q "${@:3}" || status=$?
exit $status
