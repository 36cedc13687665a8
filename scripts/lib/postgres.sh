# A throwaway PostgreSQL server for a test run: `start_postgres` starts one (installing
# PostgreSQL with apt when missing) and exports TOWER_OIDC_REGISTRATION_POSTGRES_URL, unless
# that is already set (a server of your own); the server is stopped and its data removed when
# the calling script exits. Sourced, not run.
# shellcheck shell=bash

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

pg_bin=""
pg_tmp=""
pg_data=""

# Runs a command as the owner of the throwaway cluster: `postgres` when we are root (initdb
# and the server refuse to run as root), else ourselves.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

stop_postgres() {
    if [[ -n $pg_data && -f $pg_data/postmaster.pid ]]; then
        say "stopping the throwaway PostgreSQL server"
        as_pg "$pg_bin/pg_ctl" -D "$pg_data" stop -m immediate -w >/dev/null 2>&1 || true
    fi
    if [[ -n $pg_tmp ]]; then
        rm -rf "$pg_tmp"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start_postgres() {
    if [[ -n ${TOWER_OIDC_REGISTRATION_POSTGRES_URL:-} ]]; then
        say "PostgreSQL: using TOWER_OIDC_REGISTRATION_POSTGRES_URL from the environment"
        return
    fi
    if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
        apt_install postgresql
    fi
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        echo "${0##*/}: no postgres user to run the PostgreSQL server as" >&2
        return 1
    fi
    pg_tmp=$(mktemp -d "${TMPDIR:-/tmp}/tower-oidc-registration-pg.XXXXXX")
    trap stop_postgres EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres: "$pg_tmp"
    fi
    pg_data=$pg_tmp/data
    local port=55432
    while port_in_use "$port"; do
        port=$((port + 1))
        if ((port > 55532)); then
            echo "${0##*/}: no free port for PostgreSQL in 55432-55532" >&2
            return 1
        fi
    done
    say "PostgreSQL: initdb in $pg_data ($pg_bin)"
    as_pg "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres -E UTF8 --no-locale >"$pg_tmp/initdb.log" 2>&1 ||
        { cat "$pg_tmp/initdb.log" >&2; return 1; }
    # A throwaway server: no fsync (speed), room for the tests' parallel connection pools.
    say "PostgreSQL: starting on 127.0.0.1:$port"
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_tmp/server.log" -w -t 60 \
        -o "-p $port -k $pg_tmp -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null ||
        { cat "$pg_tmp/server.log" >&2; return 1; }
    as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U postgres tower_oidc_registration_test
    export TOWER_OIDC_REGISTRATION_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/tower_oidc_registration_test"
    say "PostgreSQL: TOWER_OIDC_REGISTRATION_POSTGRES_URL=$TOWER_OIDC_REGISTRATION_POSTGRES_URL"
}
