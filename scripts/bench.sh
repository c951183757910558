#!/usr/bin/env bash
# Benchmarks `guide build` on the shared corpus (`gencorpus.py --format guide`), on disk, against
# Hugo on the same lessons (`--format hugo`) and the bare floor of a build (`floor/`), all in the
# same run, and prints the rows of the scale table: cold build, second build (cache warm), peak
# memory, output size and file count (with and without the print pages), files per lesson.
#
# Usage: scripts/bench.sh
# Environment:
#   BENCH_SIZES   lesson counts to generate (default "1000 10000")
#   BENCH_RUNS    runs per measurement; the median is reported (default 3)
#   BENCH_SHARED  the shared benchmark folder with gencorpus.py and floor/ (default ../shared/bench)
#   BENCH_DIR     where corpora and outputs go; on disk, not tmpfs (default target/bench)
#   GUIDE_BIN     an already built `guide` binary to measure instead of building this checkout
bench=bench
source "$(dirname -- "${BASH_SOURCE[0]}")/bench-common.sh"

time_bin=/usr/bin/time
[[ -x $time_bin ]] || die "$time_bin is missing; it measures peak memory (apt-get install time)"

build_binaries
hugo_bin=$(command -v hugo || true)
floor_target=$target/floor
echo "building the floor..." >&2
cargo build --quiet --release --features onig --manifest-path "$shared/floor/Cargo.toml" \
    --target-dir "$floor_target"
floor_bin=$floor_target/release/floor

work=${BENCH_DIR:-$target/bench}
mkdir -p -- "$work"
if [[ $(stat -f -c %T -- "$work") == tmpfs ]]; then
    echo "$bench: warning: $work is on tmpfs; figures are meant to be taken on disk" >&2
fi
log=$work/time.log

# Runs a command once under /usr/bin/time; sets `wall` (seconds) and `rss_kb`.
measure() {
    local out=$work/command.log start end
    start=$EPOCHREALTIME
    if ! "$time_bin" -v -o "$log" "$@" >"$out" 2>&1; then
        tail -n 40 -- "$out" >&2
        die "command failed: $*"
    fi
    end=$EPOCHREALTIME
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    rss_kb=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$log")
    [[ -n $rss_kb ]] || die "could not read peak memory from $time_bin output"
}

# `bench PREPARE CMD...`: `runs` runs, PREPARE before each; sets `med_wall` (s), `med_rss` (MB).
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
    med_wall=$(median 2 "${walls[@]}")
    med_rss=$(awk -v kb="$(median 0 "${rsses[@]}")" 'BEGIN { printf "%.0f", kb / 1024 }')
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'
}

# Size in MB and file count of a folder, optionally leaving out files named like $2.
footprint() {
    local dir=$1 skip=${2:-}
    find "$dir" -type f ${skip:+! -name "$skip"} -printf '%s\n' |
        awk '{ s += $1; n++ } END { printf "%.0f MB in %d files", s / 1048576, n }'
}

rows=()
row() {
    rows+=("$(printf '%-8s %-28s %s' "$@")")
}

for size in "${size_list[@]}"; do
    corpus=$work/corpus-$size
    hugo_site=$work/hugo-$size
    out=$work/out-$size
    echo "generating $size lessons..." >&2
    gen_corpus guide "$size" "$corpus"
    gen_corpus hugo "$size" "$hugo_site"

    cold_guide() { rm -rf -- "$corpus/.guide-cache" "$out" "$work/.out-$size.previous"; }
    cold_hugo() { rm -rf -- "$work/hugo-out-$size" "$hugo_site/resources" "$hugo_site/.hugo_build.lock"; }
    cold_floor() { rm -rf -- "$work/floor-out-$size"; }
    nothing() { :; }

    # The three cold builds alternate run by run, so that load on a shared machine hits all alike.
    g_walls=() g_rss=() h_walls=() f_walls=()
    for ((r = 0; r < runs; r++)); do
        echo "cold builds, $size lessons, run $((r + 1)) of $runs..." >&2
        cold_guide
        measure "$guide" build --root "$corpus" --out "$out"
        g_walls+=("$wall") g_rss+=("$rss_kb")
        if [[ -n $hugo_bin ]]; then
            cold_hugo
            measure "$hugo_bin" --quiet --source "$hugo_site" --destination "$work/hugo-out-$size"
            h_walls+=("$wall")
        fi
        cold_floor
        measure "$floor_bin" "$corpus/content" "$work/floor-out-$size"
        f_walls+=("$wall")
    done
    g_cold=$(median 2 "${g_walls[@]}")
    g_rss_mb=$(awk -v kb="$(median 0 "${g_rss[@]}")" 'BEGIN { printf "%.0f", kb / 1024 }')
    f_cold=$(median 2 "${f_walls[@]}")
    row "$size" "cold build (s)" "$g_cold"
    if [[ -n $hugo_bin ]]; then
        h_cold=$(median 2 "${h_walls[@]}")
        row "$size" "  hugo cold (s)" "$h_cold  (guide/hugo $(ratio "$g_cold" "$h_cold"))"
    fi
    row "$size" "  floor (s)" "$f_cold  (guide/floor $(ratio "$g_cold" "$f_cold"))"

    echo "second builds, $size lessons..." >&2
    bench nothing "$guide" build --root "$corpus" --out "$out"
    row "$size" "second build, cache warm (s)" "$med_wall"
    row "$size" "peak memory (MB)" "$g_rss_mb cold, $med_rss warm"
    row "$size" "output" "$(footprint "$out")"
    row "$size" "output without print pages" "$(footprint "$out" 'print*.html')"
    files=$(find "$out" -type f | wc -l)
    row "$size" "files per lesson" "$(awk -v f="$files" -v n="$size" 'BEGIN { printf "%.2f", f / n }')"
    row "$size" "output per lesson (KB)" "$(du -sk -- "$out" | awk -v n="$size" '{ printf "%.1f", $1 / n }')"
    rm -rf -- "$corpus" "$hugo_site" "$out" "$work/hugo-out-$size" "$work/floor-out-$size" \
        "$work/.out-$size.previous"
done

echo
echo "median of $runs runs, on $(stat -f -c %T -- "$work") at $work"
printf '%-8s %-28s %s\n' lessons figure value
printf '%s\n' "${rows[@]}"
if [[ -z $hugo_bin ]]; then
    echo "(hugo is not on PATH: apt-get install hugo to compare)"
fi
echo "save -> served figures: scripts/bench-serve.sh; search figures: scripts/bench-search.sh"
