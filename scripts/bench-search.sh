#!/usr/bin/env bash
# Benchmarks search on the shared corpus (gencorpus.py): the index's share of `guide build` (the build with
# search on against the same build with `[search] enabled = false`, median of several runs), the
# index's total size, and in headless Chromium the index bytes a first query loads and the time
# from a keystroke to its results on screen (tests/it/search.rs `measure_queries_for_the_benchmark`).
#
# Usage: scripts/bench-search.sh
# Environment:
#   BENCH_SIZES  lesson counts to generate (default "1000 10000")
#   BENCH_RUNS   builds per configuration; the median is reported (default 3)
#   BENCH_SHARED the shared benchmark folder with gencorpus.py (default ../shared/bench)
bench=bench-search
source "$(dirname -- "${BASH_SOURCE[0]}")/bench-common.sh"

time_bin=/usr/bin/time
[[ -x $time_bin ]] || die "$time_bin is missing; it measures CPU time. Install it with: sudo apt-get install time"

build_binaries
(cd -- "$repo" && cargo test --quiet --release --test it --no-run)

work=$(mktemp -d "${TMPDIR:-/tmp}/guide-bench-search.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Builds `corpus` into `out` `runs` times (warm: the highlight cache kept); sets `med` (wall
# seconds) and `med_cpu` (user + system CPU seconds, steadier than wall time on a busy machine).
builds() {
    local corpus=$1 out=$2 walls=() cpus=() i start end
    for ((i = 0; i < runs; i++)); do
        rm -rf -- "$out"
        start=$EPOCHREALTIME
        "$time_bin" -f '%U %S' -o "$work/time.log" "$guide" build --root "$corpus" --out "$out" \
            >"$work/build.log" 2>&1 || { cat -- "$work/build.log" >&2; die "guide build failed"; }
        end=$EPOCHREALTIME
        walls+=("$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')")
        cpus+=("$(awk 'END { printf "%.3f", $1 + $2 }' "$work/time.log")")
    done
    med=$(median 3 "${walls[@]}")
    med_cpu=$(median 3 "${cpus[@]}")
}

set_search() {
    local book=$1 on=$2
    sed -i -e "/^\[search\]/,/^\[/ s/^enabled = .*/enabled = $on/" -- "$book"
    grep -q "^enabled = $on" -- "$book" || die "could not set [search] enabled = $on in $book"
}

rows=()
for size in "${size_list[@]}"; do
    corpus=$work/corpus-$size
    out=$work/out-$size
    echo "generating $size lessons..." >&2
    gen_corpus guide "$size" "$corpus"
    grep -q '^\[search\]' "$corpus/book.toml" || printf '\n[search]\nenabled = true\n' >>"$corpus/book.toml"

    echo "building $size lessons, search off and on, $runs runs each..." >&2
    set_search "$corpus/book.toml" false
    "$guide" build --root "$corpus" --out "$out" >/dev/null 2>&1 # fills the highlight cache
    builds "$corpus" "$out"
    without=$med without_cpu=$med_cpu
    set_search "$corpus/book.toml" true
    builds "$corpus" "$out"
    with=$med with_cpu=$med_cpu
    index_s=$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.2f", a - b }')
    share=$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.1f%%", (a > 0) ? 100 * (a - b) / a : 0 }')
    index_cpu=$(awk -v a="$with_cpu" -v b="$without_cpu" 'BEGIN { printf "%.2f", a - b }')
    share_cpu=$(awk -v a="$with_cpu" -v b="$without_cpu" 'BEGIN { printf "%.1f%%", (a > 0) ? 100 * (a - b) / a : 0 }')
    files=$(find "$out/search" -type f | wc -l)
    bytes=$(find "$out/search" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
    size_mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
    text_mb=$(find "$out/search/t" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.1f", s / 1048576 }')

    echo "measuring queries in Chromium..." >&2
    log=$work/browser-$size.log
    (cd -- "$repo" && GUIDE_BENCH_SITE=$out GUIDE_REQUIRE_BROWSER=1 cargo test --quiet --release --test it \
        measure_queries_for_the_benchmark -- --ignored --nocapture --test-threads=1) >"$log" 2>&1 ||
        { cat -- "$log" >&2; die "browser measurement failed"; }
    grep -E '^search-bench: (typed|pasted)' "$log" | sed "s/^search-bench:/  $size lessons:/" >&2
    summary=$(grep '^search-bench: summary:' "$log" | sed 's/^search-bench: summary: //')
    rows+=("$size lessons: build ${without}s wall / ${without_cpu}s CPU without search, ${with}s / ${with_cpu}s with (index ${index_s}s wall, ${share} of the build; ${index_cpu}s CPU, ${share_cpu}); index ${size_mb} MB in $files files (${text_mb} MB of it texts for results); $summary")
    rm -rf -- "$corpus" "$out"
done

echo
echo "median of $runs builds each; queries typed one key at a time, each in a fresh page"
printf '%s\n' "${rows[@]}"
