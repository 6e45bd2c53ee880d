#!/usr/bin/env bash
# Creates <timestamp>_NAME/migration.sql in both migration folders, prisma/migrations (SQLite) and
# prisma/postgresql/migrations (PostgreSQL): each the difference between that folder's migrations
# and the schema (prisma/schema.prisma; the PostgreSQL schema is regenerated from it first).
# `prisma migrate dev` fails with P1014 under the JS engine, hence `migrate diff`.
# The PostgreSQL diff replays the migrations on a temporary shadow database: on the server of
# DATABASE_URL when that is postgresql:// (its own database is left untouched), else on a
# throwaway cluster from Debian's postgresql package.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/new-migration.sh NAME}
[[ $name =~ ^[a-z0-9_]+$ ]] || { echo "NAME: lower-case letters, digits and _" >&2; exit 2; }
node --import tsx scripts/gen-pg-schema.ts

work=$(mktemp -d)
cleanup() {
  [[ -n ${pg_pid:-} ]] && node --import tsx tests/helpers/postgresCluster.ts stop "$pg_pid" "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT

# SQLite: the shadow database is in memory; the main one is a scratch file.
sqlite_sql=$(DATABASE_URL="file:$work/unused.db" npx prisma migrate diff \
  --from-migrations prisma/migrations --to-schema-datamodel prisma/schema.prisma --script)

pg_url=${DATABASE_URL:-}
if [[ ! $pg_url =~ ^postgres(ql)?:// ]]; then
  cluster=$(node --import tsx tests/helpers/postgresCluster.ts start --no-template)
  pg_pid=$(sed -n 's/^TEST_PG_PID=//p' <<<"$cluster")
  pg_dir=$(sed -n 's/^TEST_PG_DIR=//p' <<<"$cluster")
  pg_url=$(sed -n 's/^TEST_PG_URL=//p' <<<"$cluster")/postgres
fi
pg_sql=$(DATABASE_URL="$pg_url" npx prisma migrate diff \
  --from-migrations prisma/postgresql/migrations --to-schema-datamodel prisma/postgresql/schema.prisma --script)

empty() { grep -q 'This is an empty migration' <<<"$1"; }
if empty "$sqlite_sql" && empty "$pg_sql"; then
  echo "schema.prisma matches the migrations; nothing to do" >&2
  exit 0
fi
if empty "$sqlite_sql" || empty "$pg_sql"; then
  echo "the SQLite and PostgreSQL migrations disagree (one is empty); compare the two folders" >&2
  exit 1
fi
dir_name="$(date -u +%Y%m%d%H%M%S)_${name}"
write() {
  mkdir -p "$1/$dir_name"
  printf '%s\n' "$2" > "$1/$dir_name/migration.sql"
  echo "$1/$dir_name/migration.sql"
}
write prisma/migrations "$sqlite_sql"
write prisma/postgresql/migrations "$pg_sql"
