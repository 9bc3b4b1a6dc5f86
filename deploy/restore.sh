#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into the database DATABASE_URL names.
#
#   deploy/restore.sh FILE --yes
#
# Everything in that database is replaced by the backup, hence --yes. Restore into a
# new, empty database (createdb) while the site still serves the old one, then point
# the app servers at it: nothing is half-restored if anything fails.
# PostgreSQL: pg_restore in one transaction; then migrate brings an older backup's
#             schema up to the code's.
# SQLite:     the copy replaces the database in one step (manage.py restore_sqlite);
#             then migrate, as for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

input="${1:?usage: deploy/restore.sh FILE --yes}"
if [ "${2:-}" != "--yes" ]; then
  echo "This replaces every row in the database DATABASE_URL names. Add --yes to go on." >&2
  exit 2
fi
python="${PYTHON:-.venv/bin/python}"
url="${DATABASE_URL:-}"

case "$url" in
  postgres://*|postgresql://*)
    pg_restore --clean --if-exists --no-owner --no-acl --single-transaction \
      --exit-on-error --dbname="$url" "$input"
    "$python" manage.py migrate --noinput
    ;;
  ""|sqlite://*)
    "$python" manage.py restore_sqlite "$input"
    "$python" manage.py migrate --noinput
    ;;
  *)
    echo "DATABASE_URL is neither PostgreSQL nor SQLite; nothing was restored." >&2
    exit 2
    ;;
esac
echo "Restored $input."
