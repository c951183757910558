#!/usr/bin/env bash
# Benchmarks `guide build` on generated guides of several sizes, cold (no highlight cache) and
# warm (cache kept), and Hugo on the same content when `hugo` is installed.
#
# Usage: scripts/bench.sh
# Environment:
#   BENCH_SIZES  lesson counts to generate (default "1000 10000")
#   BENCH_RUNS   runs per measurement; the median is reported (default 3)
#   BENCH_SEED   seed for the generated text (default 1)
#   GUIDE_BIN    an already built `guide` binary to measure instead of building this checkout
bench=bench
source "$(dirname -- "${BASH_SOURCE[0]}")/bench-common.sh"

time_bin=/usr/bin/time
if [[ ! -x $time_bin ]]; then
    echo "bench: $time_bin is missing; it measures peak memory. Install it with:" >&2
    echo "    sudo apt-get install time" >&2
    exit 1
fi

build_binaries
gencorpus=$examples/gencorpus

hugo_bin=$(command -v hugo || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/guide-bench.XXXXXX")
cleanup() {
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a command once under /usr/bin/time; sets `wall` (seconds) and `rss_kb`.
measure() {
    local log=$work/time.log out=$work/command.log start end
    start=$EPOCHREALTIME
    if ! "$time_bin" -v -o "$log" "$@" >"$out" 2>&1; then
        echo "bench: command failed: $*" >&2
        tail -n 40 -- "$out" >&2
        exit 1
    fi
    end=$EPOCHREALTIME
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    rss_kb=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$log")
    [[ -n $rss_kb ]] || die "could not read peak memory from $time_bin output"
}

# Measures `runs` runs of a command; `prepare` is called before each one.
# Sets `med_wall` (seconds) and `med_rss` (MB).
bench() {
    local prepare=$1
    shift
    local walls=() rsses=() i
    for ((i = 0; i < runs; i++)); do
        "$prepare"
        measure "$@"
        walls+=("$wall")
        rsses+=("$rss_kb")
    done
    med_wall=$(median 3 "${walls[@]}")
    med_rss=$(awk -v kb="$(median 3 "${rsses[@]}")" 'BEGIN { printf "%.1f", kb / 1024 }')
}

rows=()
row() {
    rows+=("$(printf '%-8s %-6s %-5s %10s %12s %11s' "$@")")
}

for size in "${size_list[@]}"; do
    corpus=$work/corpus-$size
    out=$work/out-$size
    echo "generating $size lessons..." >&2
    "$gencorpus" --lessons "$size" --out "$corpus" --seed "$seed" >/dev/null

    # Cold: no highlight cache, no output and no previous output to rewrite in place.
    cold_guide() { rm -rf -- "$corpus/.guide-cache" "$out" "$work/.out-$size.previous"; }
    warm_guide() { :; }
    echo "guide build, $size lessons, cold and warm..." >&2
    bench cold_guide "$guide" build --root "$corpus" --out "$out"
    guide_cold=$med_wall
    row "$size" guide cold "$med_wall" "$med_rss" ""
    bench warm_guide "$guide" build --root "$corpus" --out "$out"
    guide_warm=$med_wall
    row "$size" guide warm "$med_wall" "$med_rss" ""
    rm -rf -- "$out" "$corpus/.guide-cache" "$work/.out-$size.previous"

    if [[ -n $hugo_bin ]]; then
        site=$work/hugo-$size
        hugo_out=$work/hugo-out-$size
        make_hugo_site "$corpus" "$site"
        cold_hugo() { rm -rf -- "$hugo_out" "$site/resources" "$site/.hugo_build.lock"; }
        warm_hugo() { :; }
        echo "hugo, $size lessons, cold and warm..." >&2
        bench cold_hugo "$hugo_bin" --quiet --source "$site" --destination "$hugo_out"
        ratio=$(awk -v h="$med_wall" -v g="$guide_cold" 'BEGIN { if (g > 0) printf "%.2fx", h / g; else print "-" }')
        row "$size" hugo cold "$med_wall" "$med_rss" "$ratio"
        bench warm_hugo "$hugo_bin" --quiet --source "$site" --destination "$hugo_out"
        ratio=$(awk -v h="$med_wall" -v g="$guide_warm" 'BEGIN { if (g > 0) printf "%.2fx", h / g; else print "-" }')
        row "$size" hugo warm "$med_wall" "$med_rss" "$ratio"
        rm -rf -- "$site" "$hugo_out"
    fi
    rm -rf -- "$corpus"
done

echo
echo "median of $runs runs"
printf '%-8s %-6s %-5s %10s %12s %11s\n' lessons tool cache "wall (s)" "peak RSS MB" "hugo/guide"
printf '%s\n' "${rows[@]}"
if [[ -z $hugo_bin ]]; then
    echo "(hugo is not on PATH: install it to compare)"
fi
