#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite (CI runs it; handy locally too).
#
#   scripts/pg-throwaway.sh start DIR   create and start a cluster in DIR; prints its URL, e.g.
#                                       postgresql://fanshelf@127.0.0.1:54329/fanshelf_test
#   scripts/pg-throwaway.sh stop DIR    stop it (pg_ctl stop -m fast) and remove DIR
#
# The cluster listens on 127.0.0.1 only (trust authentication), on the first free port from
# $PG_THROWAWAY_PORT (default 54329) upwards, with its unix socket in DIR. Durability is off
# (fsync, synchronous_commit, full_page_writes): never keep data in it. Role `fanshelf` is a
# SUPERUSER (the tests create and drop their own databases) and owns database `fanshelf_test`.
# Uses Debian's /usr/lib/postgresql/<newest>/bin; installs the `postgresql` package when it is
# missing and we are root. As root, the server runs as the `postgres` OS user (initdb and the
# server refuse root), and DIR is chowned to it. Logs go to DIR/log or stderr; stdout carries
# only the URL.
set -euo pipefail

ROLE=fanshelf
DB=fanshelf_test
SUPERUSER=postgres   # bootstrap superuser of the cluster, used only to create $ROLE
MARKER=.pg-throwaway # marks DIR as ours, so that a stale DIR may safely be removed
FIRST_PORT="${PG_THROWAWAY_PORT:-54329}"
PORT_TRIES=50

# Whatever the caller's libpq environment says, we talk to our own cluster only.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGOPTIONS PGDATA PGSSLMODE

die() { echo "pg-throwaway: $*" >&2; exit 1; }
say() { echo "pg-throwaway: $*" >&2; }

usage() { die "usage: $0 start|stop DIR"; }

pg_bin() {
    local initdb
    initdb="$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)"
    [[ -x "$initdb" ]] && dirname "$initdb"
}

ensure_postgres_installed() {
    if pg_bin >/dev/null; then return 0; fi
    [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and we are not root to install it; run: sudo apt-get install postgresql"
    say "PostgreSQL is not installed; installing the Debian package 'postgresql' ..."
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pg_bin >/dev/null || die "installed 'postgresql' but found no /usr/lib/postgresql/*/bin/initdb"
}

# as USER CMD...: run CMD as USER (we are root) or as ourselves; from DIR, so that the
# target user never has to read the caller's working directory.
as() {
    local user="$1"; shift
    if [[ $EUID -eq 0 ]]; then
        (cd "$DIR" && runuser -u "$user" -- "$@")
    else
        (cd "$DIR" && "$@")
    fi
}

# Is the postmaster of DIR's cluster running? (Not after a crash or a reboot: then its pid file
# is stale, and pg_ctl would wait in vain for it to go.)
postmaster_alive() {
    local pid state comm
    [[ -f "$DIR/data/postmaster.pid" ]] || return 1
    pid="$(head -n 1 "$DIR/data/postmaster.pid")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    read -r comm 2>/dev/null <"/proc/$pid/comm" || return 1
    state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
    [[ "$comm" == postgres && "$state" != Z ]]
}

# Stop whatever cluster DIR holds and remove DIR. Refuses a non-empty DIR that is not ours.
teardown() {
    [[ -e "$DIR" ]] || return 0
    [[ -d "$DIR" ]] || die "$DIR exists and is not a directory"
    if [[ -n "$(ls -A "$DIR")" && ! -e "$DIR/$MARKER" ]]; then
        die "$DIR is not empty and was not made by this script; refusing to remove it"
    fi
    if postmaster_alive; then
        local owner
        owner="$(stat -c %U "$DIR/data")"
        local bin
        bin="$(pg_bin)" || die "a cluster in $DIR needs stopping, but PostgreSQL is not installed"
        if ! as "$owner" "$bin/pg_ctl" stop -D "$DIR/data" -m fast -w -t 30 >&2; then
            say "fast stop failed; trying an immediate stop"
            as "$owner" "$bin/pg_ctl" stop -D "$DIR/data" -m immediate -w -t 30 >&2 || true
        fi
    fi
    rm -rf -- "$DIR"
}

port_in_use() {  # something already accepts TCP connections on 127.0.0.1:$1
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

start() {
    ensure_postgres_installed
    local bin
    bin="$(pg_bin)"

    if [[ -e "$DIR" && -n "$(ls -A "$DIR" 2>/dev/null || echo x)" ]]; then
        say "removing the stale $DIR first"
        teardown
    fi
    mkdir -p -- "$DIR"
    DIR="$(cd "$DIR" && pwd -P)"
    touch "$DIR/$MARKER" "$DIR/log"

    local owner
    if [[ $EUID -eq 0 ]]; then
        owner="$SUPERUSER"
        id -u "$owner" >/dev/null 2>&1 || die "OS user '$owner' is missing (the Debian postgresql packages create it)"
        chown -R "$owner": "$DIR"
        chmod 700 "$DIR"
        as "$owner" test -w "$DIR" \
            || die "OS user '$owner' cannot reach $DIR (is a parent directory private?); use a directory under /tmp"
    else
        owner="$(id -un)"
    fi
    (( ${#DIR} < 90 )) || die "$DIR is too long a path for a unix socket directory"

    # On failure from here on, show the end of the log (the cluster is left for `stop` to remove).
    trap 'rc=$?; if ((rc)) && [[ -s "$DIR/log" ]]; then say "start failed; end of $DIR/log:"; tail -n 40 "$DIR/log" >&2; fi' EXIT

    say "initdb ($bin) in $DIR/data"
    as "$owner" "$bin/initdb" -D "$DIR/data" -U "$SUPERUSER" --auth=trust \
        -E UTF8 --locale=C.UTF-8 --no-sync >>"$DIR/log" 2>&1

    cat >>"$DIR/data/postgresql.conf" <<EOF

# --- pg-throwaway: a disposable test cluster ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    cat >"$DIR/data/pg_hba.conf" <<EOF
# pg-throwaway: trust on 127.0.0.1 only
host all all 127.0.0.1/32 trust
EOF

    local port="$FIRST_PORT" last=$((FIRST_PORT + PORT_TRIES - 1)) started=""
    local logsize newlog
    for ((; port <= last; port++)); do
        port_in_use "$port" && continue
        logsize="$(stat -c %s "$DIR/log")"
        if as "$owner" "$bin/pg_ctl" start -D "$DIR/data" -l "$DIR/log" -o "-p $port" -w -t 60 >>"$DIR/log" 2>&1; then
            started=1
            break
        fi
        # Lost a race for the port (or something else is wrong: the log says which).
        newlog="$(tail -c +$((logsize + 1)) "$DIR/log")"
        [[ "$newlog" == *"could not bind"* || "$newlog" == *"Address already in use"* ]] \
            || die "the server did not start; see $DIR/log"
        say "port $port was taken; trying the next one"
    done
    [[ -n "$started" ]] || die "no free port in $FIRST_PORT..$last"
    echo "$port" >"$DIR/port"

    local psql=("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port")
    "${psql[@]}" -U "$SUPERUSER" -d postgres \
        -c "CREATE ROLE $ROLE SUPERUSER CREATEDB LOGIN" \
        -c "CREATE DATABASE $DB OWNER $ROLE" >&2

    local i
    for ((i = 0; i < 60; i++)); do
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$ROLE" -d "$DB" && break
        sleep 0.5
    done
    "$bin/pg_isready" -h 127.0.0.1 -p "$port" -U "$ROLE" -d "$DB" >&2 \
        || die "the server does not accept connections; see $DIR/log"
    "${psql[@]}" -U "$ROLE" -d "$DB" -c 'SELECT 1' >/dev/null \
        || die "cannot log in as $ROLE to $DB; see $DIR/log"

    trap - EXIT
    local url="postgresql://$ROLE@127.0.0.1:$port/$DB"
    echo "$url" >"$DIR/url"
    say "PostgreSQL $("$bin/postgres" -V | awk '{print $3}') ready in $DIR on 127.0.0.1:$port"
    echo "$url"
}

[[ $# -eq 2 && -n "$2" ]] || usage
DIR="$2"
[[ "$DIR" != "/" ]] || die "refusing to use / as the cluster directory"
case "$1" in
    start) start ;;
    stop) teardown ;;
    *) usage ;;
esac
