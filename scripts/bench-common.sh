# Shared by the benchmark scripts, which source it after setting `bench` (their name, for
# messages): strict mode, the settings every benchmark reads, the release binaries they measure,
# and helpers. Not meant to be run on its own.
#
# Environment read here:
#   BENCH_SIZES  lesson counts to generate (default "1000 10000")
#   BENCH_RUNS   runs per measurement; the median is reported (default 3)
#   BENCH_SHARED the shared benchmark folder with gencorpus.py and floor/ (default ../shared/bench)
#   GUIDE_BIN    an already built `guide` binary to measure instead of building this checkout
set -euo pipefail
export LC_ALL=C

die() {
    echo "$bench: $*" >&2
    exit 1
}

[[ -n ${EPOCHREALTIME:-} ]] || die "needs bash 5 or newer"

is_count() {
    [[ $1 =~ ^[1-9][0-9]*$ ]]
}

sizes=${BENCH_SIZES:-"1000 10000"}
runs=${BENCH_RUNS:-3}
is_count "$runs" || die "BENCH_RUNS must be a whole number >= 1, got '$runs'"
read -r -a size_list <<<"$sizes"
((${#size_list[@]} > 0)) || die "BENCH_SIZES is empty"
for size in "${size_list[@]}"; do
    is_count "$size" || die "BENCH_SIZES must hold whole numbers >= 1, got '$size'"
done

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
case $target in
/*) ;;
*) target=$repo/$target ;;
esac

shared=${BENCH_SHARED:-$repo/../shared/bench}

# `gen_corpus FORMAT LESSONS DIR`: the shared corpus (the same lessons on every machine) in the
# layout of `guide` (`guide`) or of a peer (`hugo`).
gen_corpus() {
    [[ -f $shared/gencorpus.py ]] || die "no gencorpus.py in $shared (set BENCH_SHARED)"
    command -v python3 >/dev/null || die "python3 runs gencorpus.py"
    python3 "$shared/gencorpus.py" --format "$1" --pages "$2" --out "$3" >/dev/null
}

# Builds `guide` (unless GUIDE_BIN names one) and the examples named in "$@" in release mode;
# sets `guide` and `examples` (the folder of the example binaries).
build_binaries() {
    local args=() name
    for name in "$@"; do
        args+=(--example "$name")
    done
    echo "building release binaries..." >&2
    if [[ -n ${GUIDE_BIN:-} ]]; then
        guide=$GUIDE_BIN
    else
        args+=(--bin guide)
        guide=$target/release/guide
    fi
    if ((${#args[@]} > 0)); then
        (cd -- "$repo" && cargo build --quiet --release "${args[@]}")
    fi
    examples=$target/release/examples
    [[ -x $guide ]] || die "no guide binary at $guide"
    for name in "$@"; do
        [[ -x $examples/$name ]] || die "no $name binary in $examples"
    done
}

# `median DIGITS VALUE...`: the median of the values, with DIGITS decimals.
median() {
    local digits=$1
    shift
    printf '%s\n' "$@" | sort -g | awk -v f="%.${digits}f" '
        { v[NR] = $1 }
        END {
            if (NR % 2) printf f, v[(NR + 1) / 2]
            else printf f, (v[NR / 2] + v[NR / 2 + 1]) / 2
        }'
}

