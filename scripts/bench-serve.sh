#!/usr/bin/env bash
# Benchmarks `guide serve` live reload: on the shared corpus (gencorpus.py) at several sizes, starts the server,
# requests one lesson, then saves that lesson again and again (a changed line each time, about a
# second apart) and polls its URL every millisecond from one process (examples/savepoll.rs) until
# the change is served. Prints the median and worst latency from save to served change, the time
# from start to the first page served, and a cold `guide build` for comparison; the same for
# `hugo server` on the same lessons when `hugo` is installed, with the ratio of the medians. Then,
# with Debian's `wrk` when installed, the throughput of `guide serve` with 64 connections for
# 10 s, and its errors (there must be none).
#
# Usage: scripts/bench-serve.sh
# Environment:
#   BENCH_SIZES  lesson counts to generate (default "1000 10000")
#   BENCH_SAVES  saves measured per server (default 20)
#   BENCH_GAP    seconds from one save to the next (default 1)
#   BENCH_SHARED the shared benchmark folder with gencorpus.py (default ../shared/bench)
#   BENCH_WRK_SECONDS  seconds of the wrk run (default 10; 0 skips it)
#   GUIDE_BIN    an already built `guide` binary to measure instead of building this checkout
bench=bench-serve
source "$(dirname -- "${BASH_SOURCE[0]}")/bench-common.sh"

saves=${BENCH_SAVES:-20}
gap=${BENCH_GAP:-1}
wrk_seconds=${BENCH_WRK_SECONDS:-10}
is_count "$saves" || die "BENCH_SAVES must be a whole number >= 1, got '$saves'"
[[ $gap =~ ^[0-9]+([.][0-9]+)?$ ]] || die "BENCH_GAP must be a number of seconds, got '$gap'"
[[ $wrk_seconds =~ ^[0-9]+$ ]] || die "BENCH_WRK_SECONDS must be a whole number, got '$wrk_seconds'"
wrk_bin=$(command -v wrk || true)
command -v curl >/dev/null || die "curl is missing; it waits for the servers to start"

build_binaries savepoll
savepoll=$examples/savepoll
hugo_bin=$(command -v hugo || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/guide-bench-serve.XXXXXX")
server_pid=
stop_server() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
cleanup() {
    stop_server
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_ms() {
    local t=${EPOCHREALTIME/[,.]/}
    echo $((t / 1000))
}

# Fetches a URL; sets `body` (empty when the server does not answer).
fetch() {
    body=$(curl --silent --max-time 5 -- "$1" 2>/dev/null) || body=
}

# Polls `url` until its body contains `needle`, for at most `limit` seconds; returns 1 on timeout.
wait_for_text() {
    local url=$1 needle=$2 limit=$3 deadline
    deadline=$(($(now_ms) + limit * 1000))
    while :; do
        fetch "$url"
        [[ $body == *"$needle"* ]] && return 0
        (($(now_ms) < deadline)) || return 1
    done
}

# Waits until the server's log holds a line matching `pattern`; prints that line.
wait_for_log() {
    local log=$1 pattern=$2 limit=$3 deadline line
    deadline=$(($(now_ms) + limit * 1000))
    while :; do
        line=$(grep -m1 -E -- "$pattern" "$log" 2>/dev/null || true)
        if [[ -n $line ]]; then
            echo "$line"
            return 0
        fi
        kill -0 "$server_pid" 2>/dev/null || return 1
        (($(now_ms) < deadline)) || return 1
        sleep 0.01
    done
}

free_port() {
    local port
    for ((port = 20000 + RANDOM % 20000; ; port++)); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

worst() {
    printf '%s\n' "$@" | sort -n | tail -n 1
}

# Measures one running server with examples/savepoll.rs: it saves `saves` times, `gap` seconds
# apart, and polls the page every millisecond from one process until each save shows (a client
# started per poll would add its own start-up to every figure). Sets `latencies` (ms).
measure_saves() {
    local out
    out=$("$savepoll" --file "$1" --url "$2" --saves "$saves" --gap "$gap") || die "$3: savepoll failed"
    read -r -a latencies <<<"$out"
    ((${#latencies[@]} == saves)) || die "$3: savepoll printed '$out'"
}

rows=()
throughput=()
row() {
    rows+=("$(printf '%-8s %-6s %12s %12s %12s %12s %11s' "$@")")
}

for size in "${size_list[@]}"; do
    corpus=$work/corpus-$size
    echo "generating $size lessons..." >&2
    gen_corpus guide "$size" "$corpus"
    rel=$(cd -- "$corpus/content" && find . -name '*.md' ! -name '_index.md' | sort | sed -n 1p)
    rel=${rel#./}
    [[ -n $rel ]] || die "no lesson in the generated guide"
    page=${rel%.md}.html

    echo "guide build, $size lessons, cold..." >&2
    rm -rf -- "$corpus/.guide-cache" "$work/out"
    t0=$(now_ms)
    "$guide" build --root "$corpus" --out "$work/out" >/dev/null 2>&1 || die "guide build failed"
    cold_build=$(($(now_ms) - t0))
    rm -rf -- "$work/out" "$work/.out.previous" "$corpus/.guide-cache"

    echo "guide serve, $size lessons: $saves saves of $rel..." >&2
    log=$work/guide-$size.log
    t0=$(now_ms)
    "$guide" serve --root "$corpus" --port 0 2>"$log" &
    server_pid=$!
    line=$(wait_for_log "$log" '^serving .* at http://' 300) || {
        cat -- "$log" >&2
        die "guide serve did not start"
    }
    base=$(grep -o 'http://[0-9.:]*/' <<<"$line" | sed -n 1p)
    wait_for_text "$base$page" "</html>" 60 || die "guide serve does not serve $page"
    first_page=$(($(now_ms) - t0))
    # The server renders every page once in the background to find errors; measure the saves
    # once it is done, as an author's later saves are.
    wait_for_log "$log" '^checked all ' 600 >/dev/null ||
        echo "note: guide serve did not log its background check; measuring anyway" >&2
    measure_saves "$corpus/content/$rel" "$base$page" "guide-$size"
    guide_latencies=("${latencies[@]}")
    guide_median=$(median 1 "${guide_latencies[@]}")
    row "$size" guide "$first_page" "$cold_build" "$guide_median" "$(worst "${guide_latencies[@]}")" ""
    if [[ -n $wrk_bin ]] && ((wrk_seconds > 0)); then
        echo "wrk, $size lessons: 64 connections for ${wrk_seconds} s on $page..." >&2
        wrk_out=$("$wrk_bin" -t 2 -c 64 -d "${wrk_seconds}s" --timeout 5s "$base$page") || die "wrk failed"
        rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$wrk_out")
        total=$(awk '/ requests in / { print $1 }' <<<"$wrk_out")
        errors=$(awk '/Socket errors:/ { gsub(/[^0-9 ]/, " "); n = 0; for (i = 1; i <= NF; i++) n += $i; print n } /Non-2xx or 3xx responses:/ { print $NF }' <<<"$wrk_out" | awk '{ s += $1 } END { print s + 0 }')
        throughput+=("$(printf '%-8s %12s %12s %8s' "$size" "$rps" "$total" "$errors")")
    fi
    if grep -q 'still serving the last good build' "$log"; then
        echo "note: guide serve refused $(grep -c 'still serving the last good build' "$log") half-written save(s) at $size lessons" >&2
    fi
    stop_server

    if [[ -n $hugo_bin ]]; then
        site=$work/hugo-$size
        gen_corpus hugo "$size" "$site"
        echo "hugo server, $size lessons: $saves saves of $rel..." >&2
        log=$work/hugo-$size.log
        port=$(free_port)
        t0=$(now_ms)
        "$hugo_bin" server --source "$site" --bind 127.0.0.1 --port "$port" \
            --baseURL "http://127.0.0.1:$port/" --appendPort=false --disableLiveReload \
            >"$log" 2>&1 &
        server_pid=$!
        wait_for_log "$log" 'Web Server is available' 600 >/dev/null || {
            tail -n 40 -- "$log" >&2
            die "hugo server did not start"
        }
        # The shared corpus's Hugo site has pretty URLs: a lesson is its folder.
        url=http://127.0.0.1:$port/${rel%.md}/
        wait_for_text "$url" "</html>" 60 || die "hugo server does not serve $page"
        hugo_first=$(($(now_ms) - t0))
        measure_saves "$site/content/$rel" "$url" "hugo-$size"
        hugo_median=$(median 1 "${latencies[@]}")
        ratio=$(awk -v h="$hugo_median" -v g="$guide_median" 'BEGIN { if (g > 0) printf "%.1fx", h / g; else print "-" }')
        row "$size" hugo "$hugo_first" "" "$hugo_median" "$(worst "${latencies[@]}")" "$ratio"
        stop_server
        rm -rf -- "$site"
    fi
    rm -rf -- "$corpus"
done

echo
echo "$saves saves per server, ${gap} s apart; latency from the save to the change being served"
printf '%-8s %-6s %12s %12s %12s %12s %11s\n' lessons tool "1st page ms" "cold build" "median ms" "worst ms" "hugo/guide"
printf '%s\n' "${rows[@]}"
if [[ -z $hugo_bin ]]; then
    echo "(hugo is not on PATH: install it to compare)"
fi
echo
if ((${#throughput[@]} > 0)); then
    echo "guide serve throughput: wrk, 2 threads, 64 connections, ${wrk_seconds} s, one lesson page"
    printf '%-8s %12s %12s %8s\n' lessons "requests/s" requests errors
    printf '%s\n' "${throughput[@]}"
elif [[ -z $wrk_bin ]]; then
    echo "(wrk is not on PATH: install it for the throughput run)"
fi
