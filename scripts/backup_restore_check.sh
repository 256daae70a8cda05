#!/usr/bin/env bash
# Back up a demo database with its media, wipe both, restore, and check that nothing was lost:
# the same row counts, the same files, and a ledger whose hash chain still verifies.
# Usage: scripts/backup_restore_check.sh            (SQLite in a temp dir)
#        DATABASE_URL=postgres://postgres@127.0.0.1:5432/sanshe_backup_check scripts/backup_restore_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SANSHE_MEDIA_ROOT="$work/media"
if [ -z "${DATABASE_URL:-}" ]; then
  export DATABASE_URL="sqlite:///$work/sanshe.sqlite3"
else
  dbname=${DATABASE_URL##*/}
  psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS $dbname" -qc "CREATE DATABASE $dbname"
fi

$py manage.py migrate -v0
$py manage.py load_demo > /dev/null
mkdir -p "$SANSHE_MEDIA_ROOT/evidence" && echo "四卡一袋 台账扫描件" > "$SANSHE_MEDIA_ROOT/evidence/sample.txt"
counts() { $py manage.py shell -c "
from django.apps import apps
print(sorted((m._meta.label, m._default_manager.count()) for m in apps.get_models() if m._meta.app_label in {'accounts','projects','procurement','evaluation','funds','core','documents'}))"; }
before=$(counts)
$py manage.py verify_ledger
$py manage.py backup --output "$work/backup"

# Wipe: the database and the uploaded files are gone.
if [[ "$DATABASE_URL" == sqlite* ]]; then
  rm -f "${DATABASE_URL#sqlite:///}"
else
  psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE $dbname" -qc "CREATE DATABASE $dbname"
fi
rm -rf "$SANSHE_MEDIA_ROOT"

$py manage.py restore --input "$work/backup"
after=$(counts)
[ "$before" = "$after" ] || { echo "row counts differ after restore"; echo "$before"; echo "$after"; exit 1; }
grep -q "四卡一袋" "$SANSHE_MEDIA_ROOT/evidence/sample.txt"
$py manage.py verify_ledger
echo "backup/restore check passed"
