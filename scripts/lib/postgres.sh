# shellcheck shell=bash
# Finds or starts a PostgreSQL server and exports DATABASE_URL (an owner/admin
# connection). In order: $DATABASE_URL if it answers; the usual local server on
# 127.0.0.1:5432 as user postgres; else a private cluster of this clone on port
# 55432. Needs common.sh and deps.sh.
#
# CLINIC_DESK_PRIVATE_PG=1 skips the first two and always uses the private cluster.

PRIVATE_PG_PORT=55432

pg_answers() {
  PGCONNECT_TIMEOUT=3 psql -w -X -q -A -t -d "$1" -c 'select 1' >/dev/null 2>&1
}

# Prints a URL without its password.
redact_url() {
  sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$1"
}

ensure_postgres() {
  command -v psql >/dev/null 2>&1 || ensure_apt_packages postgresql-client

  if [[ -z "${CLINIC_DESK_PRIVATE_PG:-}" ]]; then
    if [[ -n "${DATABASE_URL:-}" ]]; then
      if pg_answers "$DATABASE_URL"; then
        info "using DATABASE_URL=$(redact_url "$DATABASE_URL")"
        return 0
      fi
      warn "DATABASE_URL=$(redact_url "$DATABASE_URL") does not answer; looking for a local server"
    fi
    local local_url="postgres://postgres@127.0.0.1:5432/postgres"
    if pg_answers "$local_url"; then
      export DATABASE_URL="$local_url"
      info "using the local server: DATABASE_URL=$DATABASE_URL"
      return 0
    fi
  fi

  start_private_cluster
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PRIVATE_PG_PORT/postgres"
  info "using the private cluster: DATABASE_URL=$DATABASE_URL"
}

# The newest installed server's bin directory (Debian keeps them versioned).
pg_bin_dir() {
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" && -x "$dir/initdb" ]] || return 1
  printf '%s\n' "$dir"
}

# Runs a server command as the owner of the cluster: initdb and postgres
# refuse to run as root, so root hands them to the `postgres` system user.
as_pg_owner() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start_private_cluster() {
  # postgresql-contrib brings btree_gist (the no-double-booking constraint).
  ensure_apt_packages postgresql postgresql-contrib
  local bin data
  bin="$(pg_bin_dir)" || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  data="${CLINIC_DESK_PGDATA:-$REPO/.pgdata}"

  if is_root && ! runuser -u postgres -- test -x "$(dirname "$data")"; then
    # e.g. a clone under /root (mode 700): the postgres user cannot reach it.
    data="/var/lib/postgresql/clinic-desk/$(printf '%s' "$REPO" | sha256sum | cut -c1-12)"
    info "the postgres user cannot reach $(dirname "$data"); keeping the cluster in $data instead"
  fi

  if [[ ! -f "$data/PG_VERSION" ]]; then
    info "creating a private cluster in $data"
    mkdir -p "$data"
    chmod 700 "$data"
    if is_root; then
      chown postgres:postgres "$data"
    fi
    as_pg_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi

  if as_pg_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    info "private cluster already running on port $PRIVATE_PG_PORT"
  else
    port_open 127.0.0.1 "$PRIVATE_PG_PORT" &&
      die "port $PRIVATE_PG_PORT is taken by another program; stop it or set DATABASE_URL"
    info "starting the private cluster on 127.0.0.1:$PRIVATE_PG_PORT (log: $data/server.log)"
    as_pg_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
      -o "-p $PRIVATE_PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$data" \
      start >/dev/null
  fi
  pg_answers "postgres://postgres@127.0.0.1:$PRIVATE_PG_PORT/postgres" ||
    die "the private cluster does not answer; see $data/server.log"
}

# Drops the databases the Rust tests create (one per test, plus the migrated
# templates they are copied from), so runs do not pile them up.
drop_test_databases() {
  local db
  while read -r db; do
    [[ -n "$db" ]] && psql -w -X -q -d "$DATABASE_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
  done < <(psql -w -X -q -A -t -d "$DATABASE_URL" \
    -c "SELECT datname FROM pg_database WHERE datname LIKE 'clinic\_test\_%' OR datname LIKE 'clinic\_tpl\_%'")
  info "test databases cleared"
}

# The app keeps its data in its own database, not in the server's maintenance
# database: when DATABASE_URL names `postgres`, use (and create) `clinic_desk`.
ensure_app_database() {
  local base=${DATABASE_URL%%\?*} query=""
  [[ "$DATABASE_URL" == *\?* ]] && query="?${DATABASE_URL#*\?}"
  [[ "${base##*/}" == postgres ]] || return 0
  if [[ "$(psql -w -X -q -A -t -d "$DATABASE_URL" -c "SELECT 1 FROM pg_database WHERE datname = 'clinic_desk'")" != 1 ]]; then
    psql -w -X -q -d "$DATABASE_URL" -c 'CREATE DATABASE clinic_desk' >/dev/null
    info "created the database clinic_desk"
  fi
  export DATABASE_URL="${base%/*}/clinic_desk$query"
  info "app database: $(redact_url "$DATABASE_URL")"
}
