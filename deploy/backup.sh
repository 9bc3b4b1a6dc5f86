#!/usr/bin/env bash
# Back up Sadlist's database to one file.
#
#   deploy/backup.sh FILE
#
# Reads DATABASE_URL like the app does (unset: the SQLite file db.sqlite3).
# PostgreSQL: pg_dump's custom format (compressed, restorable table by table), taken
#             in one consistent snapshot while the site keeps serving.
# SQLite:     SQLite's online backup (manage.py backup_sqlite): an exact copy, taken
#             while the site keeps serving.
# Uploaded files live in MEDIA_ROOT, not in the database: copy that folder too.
set -euo pipefail
cd "$(dirname "$0")/.."

output="${1:?usage: deploy/backup.sh FILE}"
python="${PYTHON:-.venv/bin/python}"
url="${DATABASE_URL:-}"

case "$url" in
  postgres://*|postgresql://*)
    pg_dump --format=custom --no-owner --no-acl --dbname="$url" --file="$output"
    ;;
  ""|sqlite://*)
    "$python" manage.py backup_sqlite "$output"
    ;;
  *)
    echo "DATABASE_URL is neither PostgreSQL nor SQLite; nothing was backed up." >&2
    exit 2
    ;;
esac
echo "Backed up to $output ($(wc -c <"$output") bytes)."
