#!/usr/bin/env bash
# HTTP load benchmark: examples/hyper_standalone against a bare hyper
# baseline (benches/baseline/, the example bench_baseline) and against itself without the
# registration layer, over loopback with wrk. See BENCHMARKS.md, "HTTP load".
#
#   benches/http_load.sh
#
# Installs wrk from Debian when missing, builds the two servers in release mode, then for each
# scenario runs wrk (THREADS threads, CONNECTIONS connections, DURATION seconds, --latency)
# RUNS times against each of the two servers, interleaved (A B A B ...), every run on a freshly
# started server (an empty store) after WARMUP seconds of the same load. Prints each run, then
# per scenario and server the median requests/s, p50 and p99, and the ratio ours/reference.
# Each run's line also gives the machine's CPU time spent by the server, by wrk and by anything
# else during the run: more than a few % "other" means a busy neighbour, and a noisy figure.
#
# Scenarios:
#   register     POST /register with the seed's JSON    hyper_standalone vs bench_baseline
#   read         GET /register/{id} with a valid token  hyper_standalone vs bench_baseline
#   passthrough  GET /                                   hyper_standalone vs hyper_standalone
#                                                        --no-registration
#   stores       POST /register with the seed's JSON    hyper_standalone --store memory vs
#                (optional: not in the default list)     --store sqlite:FILE (a fresh temporary
#                                                        file each run) and, when
#                                                        TOWER_OIDC_REGISTRATION_POSTGRES_URL is
#                                                        set, --store that URL (a fresh schema
#                                                        each run, made and dropped with psql).
#                                                        Builds the servers with
#                                                        --features sqlite,postgres; ratios are
#                                                        to the memory store.
#   logging      POST /register with the seed's JSON    hyper_standalone logging as it does by
#                (optional: not in the default list)     default (RUST_LOG unset: info, one line
#                                                        per registration, to a file) vs the same
#                                                        at RUST_LOG=warn (no line).
#   limits       POST /register with the seed's JSON    hyper_standalone with both rate limits
#                (optional: not in the default list)     and the memory store's bound on, set
#                                                        so high that nothing is refused
#                                                        (1000/s with a burst of 10^9, 10^9
#                                                        clients) vs all three off: the cost of
#                                                        the checks themselves.
#   authenticate POST /token, grant_type=               examples/axum_app vs
#                client_credentials with                 bench_token_baseline
#                Authorization: Basic (a client          (benches/token_baseline/, a bare axum
#                registered with the initial access      endpoint that decodes the Basic header
#                token; optional: not in the default     and answers a constant token response
#                list)                                   of the same shape). HTTP_LOAD_BEFORE
#                                                        does not apply.
#   auth-stores  POST /token as authenticate            axum_app --store memory vs
#                (optional: not in the default list)     --store sqlite:FILE and, when
#                                                        TOWER_OIDC_REGISTRATION_POSTGRES_URL is
#                                                        set, --store that URL, as the stores
#                                                        scenario; ratios are to the memory store.
#
# Environment (defaults in brackets): HTTP_LOAD_DURATION seconds per run [10], HTTP_LOAD_RUNS
# runs per server [3], HTTP_LOAD_WARMUP seconds [1], HTTP_LOAD_THREADS [2],
# HTTP_LOAD_CONNECTIONS [32], HTTP_LOAD_SCENARIOS ["register read passthrough"],
# HTTP_LOAD_BEFORE [unset]: the path of a hyper_standalone built from an earlier commit (e.g. a
# `git worktree` of it, `cargo build --release --examples`): it then runs interleaved too, and
# each scenario gets a row "before" with the ratio ours / before (a before/after comparison of
# one change, measured in one run),
# HTTP_LOAD_VERBOSE=1 to print wrk's own output. Servers log at RUST_LOG=warn (at info: ours and
# before in the logging scenario); traffic goes to 127.0.0.1 only.
#
# Fixed offered rate: HTTP_LOAD_RATE=N [unset] sends N requests/s in every run instead of wrk's
# closed loop (each connection sending its next request as soon as its last is answered, which
# saturates the 2 cores: latency is then connections / throughput, and the p99 ratio follows the
# throughput ratio). It uses oha (`oha -q N --latency-correction`: a request's latency counts
# from when it was due, not from when it could be sent; installed with `cargo install` when
# missing), CONNECTIONS connections, the same warm-up, durations and scenarios. N must be below
# every server's capacity: a run that falls 2% short of it is marked "saturated". oha releases
# the requests due in each millisecond together (its timer's resolution), and pauses a few ms
# each time its record of the requests doubles (at 2^k requests): the p99.9 and max of a run
# include these, for both servers alike. HTTP_LOAD_REALTIME=1 (with HTTP_LOAD_RATE only; root)
# runs each server and oha at real-time priority (SCHED_FIFO 10, chrt) so that the rest of a
# busy machine does not preempt them: the tails measured are then the servers' own. After the
# table, every mode prints the p99 ratios ours / reference (the register target: <= 1.5 at a
# fixed rate below saturation).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# as_root and apt_install; `say` is redefined below, to stderr.
# shellcheck source=scripts/lib/common.sh
source scripts/lib/common.sh

DURATION=${HTTP_LOAD_DURATION:-10}
RUNS=${HTTP_LOAD_RUNS:-3}
WARMUP=${HTTP_LOAD_WARMUP:-1}
THREADS=${HTTP_LOAD_THREADS:-2}
CONNECTIONS=${HTTP_LOAD_CONNECTIONS:-32}
SCENARIOS=${HTTP_LOAD_SCENARIOS:-register read passthrough}
VERBOSE=${HTTP_LOAD_VERBOSE:-0}
BEFORE=${HTTP_LOAD_BEFORE:-}
RATE=${HTTP_LOAD_RATE:-}
REALTIME=${HTTP_LOAD_REALTIME:-0}

say() { printf '==> %s\n' "$*" >&2; }
die() {
    printf 'http_load.sh: %s\n' "$*" >&2
    exit 1
}

for name in DURATION RUNS THREADS CONNECTIONS; do
    [[ ${!name} =~ ^[1-9][0-9]*$ ]] || die "HTTP_LOAD_$name must be a positive integer, not '${!name}'"
done
[[ $WARMUP =~ ^[0-9]+$ ]] || die "HTTP_LOAD_WARMUP must be a whole number of seconds, not '$WARMUP'"
for scenario in $SCENARIOS; do
    [[ $scenario =~ ^(register|read|passthrough|stores|limits|logging|authenticate|auth-stores)$ ]] ||
        die "unknown scenario '$scenario' in HTTP_LOAD_SCENARIOS (register, read, passthrough, stores, limits, logging, authenticate, auth-stores)"
done
with_stores=false
postgres_url=""
for scenario in $SCENARIOS; do
    if [[ $scenario == stores ]]; then
        with_stores=true
        postgres_url=${TOWER_OIDC_REGISTRATION_POSTGRES_URL:-}
    fi
done
# The authenticate scenarios load examples/axum_app's token endpoint; auth-stores also needs
# the durable stores, as the stores scenario.
with_auth=false
for scenario in $SCENARIOS; do
    case $scenario in
    authenticate) with_auth=true ;;
    auth-stores)
        with_auth=true with_stores=true
        postgres_url=${TOWER_OIDC_REGISTRATION_POSTGRES_URL:-}
        ;;
    esac
done

# --- tools ------------------------------------------------------------------------------------

command -v wrk >/dev/null || apt_install wrk
command -v curl >/dev/null || die "curl is missing (it registers the client of the read scenario)"
if [[ -n $postgres_url ]]; then
    command -v psql >/dev/null ||
        die "psql is missing (the stores scenario makes a fresh PostgreSQL schema per run with it)"
fi

# The fixed-rate mode: oha, with TLS from the system's OpenSSL (it builds no TLS-less variant).
if [[ -n $RATE ]]; then
    [[ $RATE =~ ^[1-9][0-9]*$ ]] || die "HTTP_LOAD_RATE must be a positive integer, not '$RATE'"
    command -v python3 >/dev/null || die "python3 is missing (it reads oha's JSON report)"
    PATH=$PATH:${CARGO_HOME:-$HOME/.cargo}/bin
    if ! command -v oha >/dev/null; then
        if ! command -v pkg-config >/dev/null || [[ ! -e /usr/include/openssl/ssl.h ]]; then
            apt_install pkg-config libssl-dev
        fi
        say "cargo install oha --locked --no-default-features --features native-tls"
        cargo install oha --locked --no-default-features --features native-tls
    fi
fi
if [[ $REALTIME == 1 ]]; then
    [[ -n $RATE ]] || die "HTTP_LOAD_REALTIME=1 needs HTTP_LOAD_RATE: a saturating load at real-time priority would take the whole machine"
    command -v chrt >/dev/null || die "chrt is missing (util-linux)"
    chrt -f 10 true 2>/dev/null || die "HTTP_LOAD_REALTIME=1: cannot run at real-time priority (chrt -f 10): root is needed"
fi

# hyper_standalone is in the examples package, bench_baseline in the library's: both are
# default members of the workspace. The stores scenario needs the durable stores in
# hyper_standalone (the examples package forwards the features to the library).
build=(cargo build --release --example hyper_standalone --example bench_baseline)
if [[ $with_stores == true ]]; then
    build+=(--features sqlite,postgres)
fi
# In the same build as the others: bench_token_baseline (the library's package) and axum_app
# (the examples') then link one axum, with the same features.
if [[ $with_auth == true ]]; then
    build+=(--example axum_app --example bench_token_baseline)
fi
say "${build[*]}"
"${build[@]}"
target_dir=$(cargo metadata --format-version 1 --no-deps |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
[[ -n $target_dir ]] || die "cannot find cargo's target directory"
standalone=$target_dir/release/examples/hyper_standalone
baseline=$target_dir/release/examples/bench_baseline
[[ -x $standalone && -x $baseline ]] || die "missing $standalone or $baseline after the build"
[[ -z $BEFORE || -x $BEFORE ]] || die "HTTP_LOAD_BEFORE=$BEFORE is not an executable"
axum_app=$target_dir/release/examples/axum_app
token_baseline=$target_dir/release/examples/bench_token_baseline
if [[ $with_auth == true ]]; then
    [[ -x $axum_app && -x $token_baseline ]] ||
        die "missing $axum_app or $token_baseline after the build"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/http_load.XXXXXX")

# --- servers ----------------------------------------------------------------------------------

server_pid=""
server_url=""
# The servers' log level: warn (no line per request) but in the logging scenario.
server_rust_log=warn
server_log=""
starts=0

stop_server() {
    if [[ -n $server_pid ]]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}

cleanup() {
    stop_server
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_server BINARY ARGS...: starts it on a free loopback port, at warn level, and waits for
# its `listening on http://ADDR` line. Sets server_pid and server_url.
start_server() {
    starts=$((starts + 1))
    server_log=$tmp/server.$starts
    # The example's rate limits and memory store bound are lifted: the benchmark measures
    # registrations, not refusals. Through the environment, which a server built before these
    # flags existed (HTTP_LOAD_BEFORE) and bench_baseline ignore.
    REGISTRATION_RATE_LIMIT_PER_ADDRESS=off REGISTRATION_RATE_LIMIT_OVERALL=off \
        REGISTRATION_MAX_CLIENTS=unbounded \
        RUST_LOG=$server_rust_log "$@" --addr 127.0.0.1:0 >"$server_log.out" 2>"$server_log.err" &
    server_pid=$!
    local i
    for ((i = 0; i < 200; i++)); do
        # The file may not be there yet: the server's shell opens it after this one goes on.
        server_url=$(sed -n 's/^listening on //p' "$server_log.out" 2>/dev/null || true)
        [[ -n $server_url ]] && return 0
        if ! kill -0 "$server_pid" 2>/dev/null; then
            cat "$server_log.err" >&2
            die "$* exited before listening"
        fi
        sleep 0.05
    done
    die "$* did not print 'listening on' within 10 s"
}

# --- load -------------------------------------------------------------------------------------

# The seed's request: the template of the INDIGO IAM document, as written there.
cat >"$tmp/seed.json" <<'EOF'
{
  "redirect_uris": [
    "https://another.client.example/oidc"
  ],
  "client_name": "another-example-client",
  "contacts": [
    "test@iam.test"
  ],
  "token_endpoint_auth_method": "client_secret_basic",
  "scope": "address phone openid email profile offline_access",
  "grant_types": [
    "refresh_token",
    "authorization_code"
  ],
  "response_types": [
    "code"
  ]
}
EOF

# The token request's form (its credentials go in the Authorization header).
printf 'grant_type=client_credentials' >"$tmp/token.form"
# axum_app's initial access token: only its holder may register client_credentials clients.
initial_access_token=http_load-initial-access-token
auth_args=(--initial-access-token "$initial_access_token")

# wrk_args SCENARIO: sets `request`, the URL and wrk arguments of the scenario's request to the
# server at server_url, after checking that one such request gets the expected status.
wrk_args() {
    local expected url
    case $1 in
    register | stores | limits | logging)
        url=$server_url/register
        request=(-s benches/http_load.lua "$url" -- post "$tmp/seed.json")
        expected=201
        check=(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json'
            --data-binary "@$tmp/seed.json" "$url")
        ;;
    read)
        # A client to read: registered now, its id and token taken from the 201 (compact JSON).
        local created client_id token
        created=$(curl -sS -X POST -H 'Content-Type: application/json' \
            --data-binary "@$tmp/seed.json" "$server_url/register")
        client_id=$(sed -n 's/.*"client_id":"\([^"]*\)".*/\1/p' <<<"$created")
        token=$(sed -n 's/.*"registration_access_token":"\([^"]*\)".*/\1/p' <<<"$created")
        [[ -n $client_id && -n $token ]] || die "cannot register the client to read: $created"
        url=$server_url/register/$client_id
        request=(-H "Authorization: Bearer $token" -s benches/http_load.lua "$url" -- get)
        expected=200
        check=(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url")
        ;;
    passthrough)
        url=$server_url/
        request=(-s benches/http_load.lua "$url" -- get)
        expected=200
        check=(curl -sS -o /dev/null -w '%{http_code}' "$url")
        ;;
    authenticate | auth-stores)
        # A client_credentials client, registered now with the initial access token, its id
        # and secret taken from the 201 (compact JSON). The baseline (`label` is measure's, the
        # caller's) has no registration and only decodes the header: any credentials do.
        local client_id=baseline-client client_secret=baseline-secret basic
        if [[ $label != baseline ]]; then
            local created
            created=$(curl -sS -X POST -H 'Content-Type: application/json' \
                -H "Authorization: Bearer $initial_access_token" \
                --data-binary '{"grant_types":["client_credentials"],"client_name":"http_load","token_endpoint_auth_method":"client_secret_basic"}' \
                "$server_url/register")
            client_id=$(sed -n 's/.*"client_id":"\([^"]*\)".*/\1/p' <<<"$created")
            client_secret=$(sed -n 's/.*"client_secret":"\([^"]*\)".*/\1/p' <<<"$created")
            [[ -n $client_id && -n $client_secret ]] ||
                die "cannot register the client to authenticate: $created"
        fi
        # client_secret_basic (RFC 6749 §2.3.1): the id (a UUID) and the secret (base64url)
        # need no form-encoding.
        basic=$(printf '%s:%s' "$client_id" "$client_secret" | base64 -w0)
        url=$server_url/token
        request=(-H "Authorization: Basic $basic" -s benches/http_load.lua "$url" -- form
            "$tmp/token.form")
        expected=200
        check=(curl -sS -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Basic $basic"
            -H 'Content-Type: application/x-www-form-urlencoded' --data-binary "@$tmp/token.form"
            "$url")
        ;;
    esac
    local status
    status=$("${check[@]}")
    [[ $status == "$expected" ]] || die "$1: $url answered $status, not $expected"
}

# load SECONDS: the scenario's load (`request`, wrk's arguments, from wrk_args) for that long,
# printing wrk's output with its HTTP_LOAD line: wrk's closed loop, or oha at HTTP_LOAD_RATE.
load() {
    if [[ -z $RATE ]]; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1s" --latency "${request[@]}"
        return
    fi
    local oha=(oha -z "$1s" -c "$CONNECTIONS" -q "$RATE" --latency-correction
        --wait-ongoing-requests-after-deadline --no-tui --output-format json)
    # wrk's arguments, as wrk_args writes them: [-H HEADER]... -s SCRIPT URL -- get|post|form [FILE].
    local args=("${request[@]}") i=0 url=""
    while ((i < ${#args[@]})); do
        case ${args[i]} in
        -H) oha+=(-H "${args[i + 1]}") i=$((i + 2)) ;;
        -s) i=$((i + 2)) ;;
        --)
            case ${args[i + 1]} in
            get) ;;
            post) oha+=(-m POST -T application/json -D "${args[i + 2]}") ;;
            form) oha+=(-m POST -T application/x-www-form-urlencoded -D "${args[i + 2]}") ;;
            *) die "load: unknown request kind '${args[i + 1]}'" ;;
            esac
            break
            ;;
        *) url=${args[i]} i=$((i + 1)) ;;
        esac
    done
    [[ $REALTIME == 1 ]] && oha=(chrt -f 10 "${oha[@]}")
    "${oha[@]}" "$url" >"$tmp/oha.json" || die "oha failed: $(head -c 2000 "$tmp/oha.json")"
    # oha's report (seconds) as the HTTP_LOAD line of benches/http_load.lua (microseconds).
    python3 - "$tmp/oha.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
summary, latency = report["summary"], report["latencyPercentiles"]
statuses = {int(code): n for code, n in report["statusCodeDistribution"].items()}
requests = sum(statuses.values())
errors = sum(report.get("errorDistribution", {}).values())
us = lambda seconds: round((seconds or 0) * 1e6)
print("HTTP_LOAD requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d"
      " max_us=%d connect_errors=0 read_errors=%d write_errors=0 http_errors=%d timeouts=0"
      % (requests, us(summary["total"]), requests / summary["total"], us(latency["p50"]),
         us(latency["p90"]), us(latency["p99"]), us(latency["p99.9"]), us(summary["slowest"]),
         errors, sum(n for code, n in statuses.items() if code >= 400)))
PY
}

# measure SCENARIO LABEL BINARY ARGS...: one run on a fresh server; appends
# `scenario label rps p50_us p99_us` to $tmp/results.
measure() {
    local scenario=$1 label=$2
    shift 2
    start_server "$@"
    if [[ $REALTIME == 1 ]]; then
        chrt -a -f -p 10 "$server_pid" >/dev/null
    fi
    wrk_args "$scenario"
    if ((WARMUP > 0)); then
        load "$WARMUP" >/dev/null
    fi
    local out=$tmp/wrk.$starts cpu_before cpu_after server_before server_after wrk_before children
    read -r -a cpu_before < <(cpu_jiffies)
    server_before=$(process_jiffies "$server_pid")
    children_jiffies
    wrk_before=$children
    load "$DURATION" >"$out"
    read -r -a cpu_after < <(cpu_jiffies)
    server_after=$(process_jiffies "$server_pid")
    children_jiffies
    local cpu
    cpu=$(awk -v busy=$((cpu_after[0] - cpu_before[0])) -v all=$((cpu_after[1] - cpu_before[1])) \
        -v server=$((server_after - server_before)) -v wrk=$((children - wrk_before)) \
        'BEGIN { if (all <= 0) all = 1; other = busy - server - wrk; if (other < 0) other = 0
            printf "server %.0f%%, wrk %.0f%%, other %.0f%%", 100 * server / all, 100 * wrk / all,
                100 * other / all }')
    stop_server
    if [[ $VERBOSE == 1 ]]; then
        cat "$out" >&2
    fi
    local line
    line=$(grep '^HTTP_LOAD ' "$out") || die "no HTTP_LOAD line in wrk's output: $(cat "$out")"
    local requests rps p50_us p99_us p999_us max_us http_errors socket_errors saturated=""
    requests=$(field requests "$line")
    rps=$(field rps "$line")
    p50_us=$(field p50_us "$line")
    p99_us=$(field p99_us "$line")
    p999_us=$(field p999_us "$line")
    max_us=$(field max_us "$line")
    if [[ -n $RATE ]] && awk -v rps="$rps" -v rate="$RATE" 'BEGIN { exit !(rps < 0.98 * rate) }'; then
        saturated="  (saturated: below the offered $RATE/s)"
    fi
    http_errors=$(field http_errors "$line")
    socket_errors=$(($(field connect_errors "$line") + $(field read_errors "$line") +
        $(field write_errors "$line") + $(field timeouts "$line")))
    ((http_errors == 0)) || die "$scenario/$label: $http_errors of $requests responses were errors (>= 400)"
    printf '%-12s %-9s run %d: %7.0f req/s  p50 %6.3f ms  p99 %6.3f ms  p99.9 %6.3f ms  max %7.3f ms  CPU: %s%s%s\n' \
        "$scenario" "$label" "$run" "$rps" "$(ms "$p50_us")" "$(ms "$p99_us")" \
        "$(ms "$p999_us")" "$(ms "$max_us")" "$cpu" \
        "$( ((socket_errors == 0)) || printf '  (%d socket errors)' "$socket_errors")" "$saturated"
    echo "$scenario $label $rps $p50_us $p99_us" >>"$tmp/results"
}

# Busy and total jiffies of all CPUs (busy: user, nice, system, irq, softirq, steal).
cpu_jiffies() { awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6 }' /proc/stat; }
# CPU time (utime + stime, in jiffies) of a live process.
process_jiffies() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Sets `children` to the CPU time, in jiffies, of this shell's finished children (wrk). Not to
# be called in $(...): `times` must run in this very shell, a subshell counts its own children.
children_jiffies() {
    times >"$tmp/times"
    children=$(awk -v hz="$hz" 'NR == 2 {
        for (i = 1; i <= 2; i++) { split($i, t, "m"); s += t[1] * 60 + substr(t[2], 1, length(t[2]) - 1) }
        printf "%d", s * hz }' "$tmp/times")
}
hz=$(getconf CLK_TCK)

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.3f", us / 1000 }'; }

# median SCENARIO LABEL COLUMN (3 rps, 4 p50, 5 p99) of $tmp/results.
median() {
    awk -v s="$1" -v l="$2" -v c="$3" '$1 == s && $2 == l { print $c }' "$tmp/results" |
        sort -g | awk '{ v[NR] = $1 } END {
            if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The ratios ours/reference of requests/s of the runs paired in order (ours then the reference,
# one after the other): "median (lowest-highest)". pair_ratios SCENARIO [OURS REFERENCE] (labels;
# by default "ours" and any other label) [DIGITS (2)].
pair_ratios() {
    awk -v s="$1" -v ours="${2:-ours}" -v ref="${3:-}" '
        $1 == s && $2 == ours { a[++na] = $3 }
        $1 == s && $2 != ours && (ref == "" || $2 == ref) { b[++nb] = $3 }
        END { for (i = 1; i <= na && i <= nb; i++) print a[i] / b[i] }' "$tmp/results" |
        sort -g | awk -v d="${4:-2}" '{ v[NR] = $1 } END {
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            f = "%." d "f"
            printf f " (" f "-" f ")", m, v[1], v[NR] }'
}

# --- run --------------------------------------------------------------------------------------

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $commit != unknown && -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
    commit="$commit + uncommitted changes ($(git status --porcelain --untracked-files=no |
        awk '{ print $2 }' | paste -sd ' '))"
fi
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
echo
echo "machine:  $(nproc) cores, ${cpu:-unknown CPU}, Linux $(uname -r)"
echo "commit:   $commit"
echo "tools:    $(rustc --version), $(wrk --version 2>&1 | head -1 | awk '{ print $1, $2 }')"
if [[ -n $RATE ]]; then
    echo "load:     oha -q $RATE -c$CONNECTIONS -z ${DURATION}s --latency-correction" \
        "($(oha --version 2>&1 | head -1))$([[ $REALTIME == 1 ]] && echo ', oha and servers at SCHED_FIFO 10'),"
    echo "          $RUNS runs per server (interleaved, a fresh server each, ${WARMUP}s warm-up)," \
        "$(date -u '+%Y-%m-%d %H:%M UTC')"
else
    echo "load:     wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, $RUNS runs per server" \
        "(interleaved, a fresh server each, ${WARMUP}s warm-up), $(date -u '+%Y-%m-%d %H:%M UTC')"
fi
echo

# measure_stores: one run of the stores scenario per store, each on a fresh server and an
# empty store (a new SQLite file; a new PostgreSQL schema, dropped afterwards).
measure_stores() {
    measure stores memory "$standalone" --store memory
    local db=$tmp/clients.$run.db
    measure stores sqlite "$standalone" --store "sqlite:$db"
    rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
    if [[ -n $postgres_url ]]; then
        local schema=http_load_$$_$run
        psql -q -v ON_ERROR_STOP=1 "$postgres_url" -c "CREATE SCHEMA $schema" >/dev/null ||
            die "cannot create schema $schema in TOWER_OIDC_REGISTRATION_POSTGRES_URL's database"
        local sep='?'
        [[ $postgres_url == *\?* ]] && sep='&'
        measure stores postgres "$standalone" \
            --store "$postgres_url${sep}options=-c%20search_path%3D$schema"
        PGOPTIONS='-c client_min_messages=warning' psql -q "$postgres_url" \
            -c "DROP SCHEMA $schema CASCADE" >/dev/null ||
            say "could not drop schema $schema"
    fi
}

# measure_auth_stores: one run of the auth-stores scenario per store, as measure_stores: each
# on a fresh server and an empty store (a new SQLite file; a new PostgreSQL schema, dropped
# afterwards), which wrk_args registers the one client in.
measure_auth_stores() {
    measure auth-stores memory "$axum_app" "${auth_args[@]}" --store memory
    local db=$tmp/auth-clients.$run.db
    measure auth-stores sqlite "$axum_app" "${auth_args[@]}" --store "sqlite:$db"
    rm -f "$db" "$db-wal" "$db-shm" "$db-journal"
    if [[ -n $postgres_url ]]; then
        local schema=http_load_auth_$$_$run
        psql -q -v ON_ERROR_STOP=1 "$postgres_url" -c "CREATE SCHEMA $schema" >/dev/null ||
            die "cannot create schema $schema in TOWER_OIDC_REGISTRATION_POSTGRES_URL's database"
        local sep='?'
        [[ $postgres_url == *\?* ]] && sep='&'
        measure auth-stores postgres "$axum_app" "${auth_args[@]}" \
            --store "$postgres_url${sep}options=-c%20search_path%3D$schema"
        PGOPTIONS='-c client_min_messages=warning' psql -q "$postgres_url" \
            -c "DROP SCHEMA $schema CASCADE" >/dev/null ||
            say "could not drop schema $schema"
    fi
}

: >"$tmp/results"
for scenario in $SCENARIOS; do
    for ((run = 1; run <= RUNS; run++)); do
        if [[ $scenario == stores ]]; then
            measure_stores
            continue
        fi
        if [[ $scenario == limits ]]; then
            # No limit refuses (one address, ~50k requests/s for DURATION s: far within the
            # burst), but each is checked: the store's rate-limit state and its client count.
            high_limits=(--rate-limit-per-address 1000/s,burst=1000000000
                --rate-limit-overall 1000/s,burst=1000000000 --max-clients 1000000000)
            measure limits ours "$standalone" "${high_limits[@]}"
            measure limits no-limits "$standalone"
            continue
        fi
        if [[ $scenario == authenticate ]]; then
            # HTTP_LOAD_BEFORE is a hyper_standalone: it has no token endpoint to compare.
            measure authenticate ours "$axum_app" "${auth_args[@]}"
            measure authenticate baseline "$token_baseline"
            continue
        fi
        if [[ $scenario == auth-stores ]]; then
            measure_auth_stores
            continue
        fi
        if [[ $scenario == logging ]]; then
            # As a user runs it: RUST_LOG unset is info in the example.
            server_rust_log=info
            measure logging ours "$standalone"
            if [[ -n $BEFORE ]]; then
                measure logging before "$BEFORE"
            fi
            server_rust_log=warn
            measure logging at-warn "$standalone"
            continue
        fi
        measure "$scenario" ours "$standalone"
        if [[ -n $BEFORE ]]; then
            measure "$scenario" before "$BEFORE"
        fi
        case $scenario in
        register | read) measure "$scenario" baseline "$baseline" ;;
        passthrough) measure "$scenario" no-layer "$standalone" --no-registration ;;
        esac
    done
done

echo
echo "Medians of $RUNS runs. ratio: ours / reference of the median requests/s; paired: the median"
echo "(lowest-highest) of the $RUNS ratios of runs made one after the other."
echo
printf '| %-11s | %-45s | %7s | %8s | %8s | %5s | %-16s | %-7s |\n' \
    scenario server 'req/s' p50 p99 ratio paired target
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ------------- \
    ----------------------------------------------- --------- ---------- ---------- ------- \
    ------------------ ---------
for scenario in $SCENARIOS; do
    if [[ $scenario == stores ]]; then
        # Ratios to the memory store, measured in the same run.
        labels=(memory sqlite)
        [[ -n $postgres_url ]] && labels+=(postgres)
        for label in "${labels[@]}"; do
            if [[ $label == memory ]]; then
                ratio="" paired="" server='hyper_standalone --store memory'
            else
                ratio=$(awk -v a="$(median stores "$label" 3)" -v b="$(median stores memory 3)" \
                    'BEGIN { printf "%.3f", a / b }')
                paired=$(pair_ratios stores "$label" memory 3)
                server="hyper_standalone --store $label"
            fi
            printf '| %-11s | %-45s | %7.0f | %s ms | %s ms | %5s | %-16s | %-7s |\n' \
                stores "$server" "$(median stores "$label" 3)" \
                "$(ms "$(median stores "$label" 4)")" "$(ms "$(median stores "$label" 5)")" \
                "$ratio" "$paired" ""
        done
        continue
    fi
    if [[ $scenario == authenticate ]]; then
        printf '| %-11s | %-45s | %7.0f | %s ms | %s ms | %5s | %-16s | %-7s |\n' \
            authenticate 'axum_app, POST /token (client_secret_basic)' \
            "$(median authenticate ours 3)" "$(ms "$(median authenticate ours 4)")" \
            "$(ms "$(median authenticate ours 5)")" \
            "$(awk -v a="$(median authenticate ours 3)" -v b="$(median authenticate baseline 3)" \
                'BEGIN { printf "%.2f", a / b }')" "$(pair_ratios authenticate)" '>= 0.70'
        printf '| %-11s | %-45s | %7.0f | %s ms | %s ms | %5s | %-16s | %-7s |\n' \
            authenticate bench_token_baseline "$(median authenticate baseline 3)" \
            "$(ms "$(median authenticate baseline 4)")" "$(ms "$(median authenticate baseline 5)")" \
            "" "" ""
        continue
    fi
    if [[ $scenario == auth-stores ]]; then
        # Ratios to the memory store, measured in the same run.
        labels=(memory sqlite)
        [[ -n $postgres_url ]] && labels+=(postgres)
        for label in "${labels[@]}"; do
            ratio="" paired=""
            if [[ $label != memory ]]; then
                ratio=$(awk -v a="$(median auth-stores "$label" 3)" \
                    -v b="$(median auth-stores memory 3)" 'BEGIN { printf "%.3f", a / b }')
                paired=$(pair_ratios auth-stores "$label" memory 3)
            fi
            printf '| %-11s | %-45s | %7.0f | %s ms | %s ms | %5s | %-16s | %-7s |\n' \
                auth-stores "axum_app --store $label, POST /token" \
                "$(median auth-stores "$label" 3)" "$(ms "$(median auth-stores "$label" 4)")" \
                "$(ms "$(median auth-stores "$label" 5)")" "$ratio" "$paired" ""
        done
        continue
    fi
    case $scenario in
    register)
        request_name='POST /register' reference=baseline reference_name='bench_baseline' target='>= 0.50'
        ;;
    read)
        request_name='GET /register/{id}' reference=baseline reference_name='bench_baseline' target='>= 0.60'
        ;;
    logging)
        request_name='POST /register, logs at info' reference=at-warn
        reference_name='hyper_standalone, RUST_LOG=warn' target='~ 1.00'
        ;;
    limits)
        request_name='POST /register, limits on' reference=no-limits
        reference_name='hyper_standalone, limits off' target='~ 1.00'
        ;;
    passthrough)
        request_name='GET /' reference=no-layer reference_name='hyper_standalone --no-registration'
        target='>= 0.98'
        ;;
    esac
    ratio=$(awk -v a="$(median "$scenario" ours 3)" -v b="$(median "$scenario" "$reference" 3)" \
        'BEGIN { printf "%.2f", a / b }')
    paired=$(pair_ratios "$scenario" ours "$reference")
    labels=(ours "$reference")
    [[ -n $BEFORE ]] && labels+=(before)
    for label in "${labels[@]}"; do
        if [[ $label == ours ]]; then
            row=("hyper_standalone, $request_name" "$ratio" "$paired" "$target")
        elif [[ $label == before ]]; then
            row=("HTTP_LOAD_BEFORE's hyper_standalone"
                "$(awk -v a="$(median "$scenario" ours 3)" -v b="$(median "$scenario" before 3)" \
                    'BEGIN { printf "%.2f", a / b }')"
                "$(pair_ratios "$scenario" ours before)" "ours/before")
        else
            row=("$reference_name" "" "" "")
        fi
        printf '| %-11s | %-45s | %7.0f | %s ms | %s ms | %5s | %-16s | %-7s |\n' \
            "$scenario" "${row[0]}" "$(median "$scenario" "$label" 3)" \
            "$(ms "$(median "$scenario" "$label" 4)")" "$(ms "$(median "$scenario" "$label" 5)")" \
            "${row[1]}" "${row[2]}" "${row[3]}"
    done
done

# The p99 ratios: per scenario with an `ours` label, ours over each other label (the reference,
# and HTTP_LOAD_BEFORE's server), of the medians and of the runs paired in order.
p99_ratios() { # SCENARIO OTHER
    awk -v s="$1" -v other="$2" '
        $1 == s && $2 == "ours" { a[++na] = $5 }
        $1 == s && $2 == other { b[++nb] = $5 }
        END { for (i = 1; i <= na && i <= nb; i++) print a[i] / b[i] }' "$tmp/results" |
        sort -g | awk '{ v[NR] = $1 } END {
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.2f (%.2f-%.2f)", m, v[1], v[NR] }'
}
echo
echo "p99: ours / the other server's, of the median p99 and paired (median, lowest-highest)$(
    [[ -n $RATE ]] && echo ", at $RATE requests/s offered: the req/s ratios above are 1 by
construction, these are the comparison")."
echo
printf '| %-11s | %-9s | %9s | %9s | %5s | %-16s |\n' scenario other 'p99 ours' 'p99 other' ratio paired
printf '|%s|%s|%s|%s|%s|%s|\n' ------------- ----------- ----------- ----------- ------- ------------------
for scenario in $SCENARIOS; do
    for other in $(awk -v s="$scenario" '$1 == s && $2 != "ours" { print $2 }' "$tmp/results" | sort -u); do
        awk -v s="$scenario" '$1 == s && $2 == "ours" { found = 1 } END { exit !found }' \
            "$tmp/results" || continue
        printf '| %-11s | %-9s |  %s ms |  %s ms | %5s | %-16s |\n' "$scenario" "$other" \
            "$(ms "$(median "$scenario" ours 5)")" "$(ms "$(median "$scenario" "$other" 5)")" \
            "$(awk -v a="$(median "$scenario" ours 5)" -v b="$(median "$scenario" "$other" 5)" \
                'BEGIN { printf "%.2f", a / b }')" "$(p99_ratios "$scenario" "$other")"
    done
done
