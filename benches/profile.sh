#!/usr/bin/env bash
# Instruction-level profiles of the hot paths whose targets are limited by something outside
# this crate's code (BENCHMARKS.md, "Profiles"), with valgrind's callgrind: counts are
# repeatable on a noisy shared machine, unlike timings.
#
#   benches/profile.sh                 # pass-through, reads at 1k and 100k clients, token endpoint
#   PROFILE_READ_CLIENTS="1000 10000" benches/profile.sh
#
# Prints, per operation: instructions (Ir) and, for reads, simulated first-level and
# last-level data cache misses with a 32 MiB, 16-way last-level cache (this machine's L3;
# callgrind misdetects it here). The workloads are in benches/profile.rs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v valgrind >/dev/null; then
    echo "==> installing valgrind (apt-get)" >&2
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -q >/dev/null
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q valgrind >/dev/null
fi

bin=$(cargo bench --bench profile --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "profile":
        print(m["executable"])')
out=$(mktemp -d "${TMPDIR:-/tmp}/profile.XXXXXX")
trap 'rm -rf "$out"' EXIT

# Totals of the events callgrind collected: "Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw".
collected() {
    sed -n 's/^==[0-9]*== Collected : //p' "$1"
}

per_op() { # total count
    python3 -c "import sys; print(f'{int(sys.argv[1]) / int(sys.argv[2]):,.1f}')" "$1" "$2"
}

n=100000
echo "pass-through: $n requests, instructions per request (callgrind, release build)"
base=0
for variant in bare layer layer-without-extension axum axum-layer; do
    valgrind --tool=callgrind --callgrind-out-file="$out/pt.$variant" \
        --toggle-collect='profile::profiled_pass_through*' \
        "$bin" pass-through "$variant" "$n" 2>"$out/pt.$variant.log" >/dev/null
    ir=$(collected "$out/pt.$variant.log" | awk '{print $1}')
    case $variant in bare | axum) base=$ir ;; esac
    printf '  %-26s %8s Ir/request   %+8s vs %s\n' "$variant" "$(per_op "$ir" "$n")" \
        "$(per_op "$((ir - base))" "$n")" "$([[ $variant == axum* ]] && echo axum || echo bare)"
done
echo "  top functions of the added instructions (layer vs bare):"
callgrind_annotate --inclusive=no "$out/pt.layer" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -12 |
    sed -E 's/ \[[^]]*\]$//; s/^/    /'

reads=20000
echo
echo "reads (Registry::read: token verified, record fetched, response rendered): $reads random clients"
for clients in ${PROFILE_READ_CLIENTS:-1000 100000}; do
    valgrind --tool=callgrind --cache-sim=yes --LL=33554432,16,64 \
        --callgrind-out-file="$out/reads.$clients" --toggle-collect='profile::profiled_reads' \
        "$bin" reads "$clients" "$reads" 2>"$out/reads.$clients.log" >/dev/null
    read -r ir _dr _dw _i1 d1r d1w _ilr dlr dlw < <(collected "$out/reads.$clients.log")
    printf '  %8d clients: %9s Ir/read  %6s D1 misses/read  %6s LL misses/read\n' "$clients" \
        "$(per_op "$ir" "$reads")" "$(per_op "$((d1r + d1w))" "$reads")" \
        "$(per_op "$((dlr + dlw))" "$reads")"
done

tokens=20000
echo
echo "token endpoint (POST /token, grant_type=client_credentials, client_secret_basic; in process,"
echo "no HTTP): $tokens requests, instructions per request"
for variant in baseline axum-app authenticate; do
    valgrind --tool=callgrind --callgrind-out-file="$out/token.$variant" \
        --toggle-collect='profile::profiled_token*' --toggle-collect='profile::profiled_authenticate' \
        "$bin" token "$variant" "$tokens" 2>"$out/token.$variant.log" >/dev/null
    ir=$(collected "$out/token.$variant.log" | awk '{print $1}')
    # valgrind's CPU has no SHA extensions: sha2 falls back to its portable code, several
    # times the instructions of a native run. Shown apart.
    sha=$(callgrind_annotate --inclusive=yes "$out/token.$variant" 2>/dev/null |
        awk '/sha2::sha256::compress256/ && !done { gsub(",", "", $1); print $1; done = 1 }')
    case $variant in
    baseline) what="bench_token_baseline's endpoint (bare axum)" ;;
    axum-app) what="examples/axum_app's token endpoint" ;;
    authenticate) what="of which the library: from_basic_authorization + authenticate_for_grant" ;;
    esac
    printf '  %-12s %8s Ir/request (SHA-256: %6s)  %s\n' "$variant" "$(per_op "$ir" "$tokens")" \
        "$(per_op "${sha:-0}" "$tokens")" "$what"
done
echo "  top functions of axum-app (exclusive):"
callgrind_annotate --inclusive=no "$out/token.axum-app" 2>/dev/null | grep -E '^ *[0-9,]+ \(' |
    sed -n '2,13p' | sed -E 's/ \[[^]]*\]$//; s/^/    /'
