#!/usr/bin/env bash
# Search relevance against Pagefind: builds the bundled guide, indexes the built copy with
# Pagefind (pinned in scripts/tools/package.json), serves it on 127.0.0.1 (Pagefind needs HTTP),
# and runs every query of tests/search-ranking.toml through both engines in headless Chromium
# (tests/it/relevance.rs `relevance_against_pagefind`): for each query the rank of the expected
# lesson among the first six pages of results and the first three pages, then for each engine
# the queries whose lesson is in its top three and the mean reciprocal rank (a lesson past the
# sixth page counts 0).
#
# Usage: scripts/bench-relevance.sh
# Environment:
#   GUIDE_BIN  an already built `guide` binary to measure instead of building this checkout
bench=bench-relevance
source "$(dirname -- "${BASH_SOURCE[0]}")/bench-common.sh"

command -v npm >/dev/null || die "npm is missing; it installs Pagefind (scripts/tools)"
command -v python3 >/dev/null || die "python3 is missing; it serves the built guide"

tools=$repo/scripts/tools
pagefind=$tools/node_modules/.bin/pagefind
want=$(sed -n 's/.*"pagefind": "\(.*\)".*/\1/p' -- "$tools/package.json")
if [[ ! -x $pagefind ]] || [[ $("$pagefind" --version 2>/dev/null) != *"$want"* ]]; then
    echo "installing Pagefind $want (npm ci --prefix scripts/tools)..." >&2
    npm ci --prefix "$tools" --no-audit --no-fund >&2 || die "npm ci --prefix scripts/tools failed"
fi
[[ $("$pagefind" --version) == *"$want"* ]] || die "Pagefind is not version $want: $("$pagefind" --version)"

echo "building guide..." >&2
if [[ -n ${GUIDE_BIN:-} ]]; then
    guide=$GUIDE_BIN
else
    (cd -- "$repo" && cargo build --quiet --bin guide)
    guide=$target/debug/guide
fi
[[ -x $guide ]] || die "no guide binary at $guide"
(cd -- "$repo" && cargo test --quiet --test it --no-run)

work=$(mktemp -d "${TMPDIR:-/tmp}/guide-bench-relevance.XXXXXX")
server=
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null
    rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

site=$work/site
"$guide" build --root "$repo" --out "$site" >"$work/build.log" 2>&1 ||
    { cat -- "$work/build.log" >&2; die "guide build failed"; }
echo "indexing the built guide with Pagefind $want..." >&2
"$pagefind" --site "$site" >"$work/pagefind.log" 2>&1 ||
    { cat -- "$work/pagefind.log" >&2; die "pagefind failed"; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$port" >"$work/http.log" 2>&1 &
server=$!
url=http://127.0.0.1:$port/
for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('${url}index.html')" 2>/dev/null && break
    sleep 0.1
done

echo "running the queries through both engines in Chromium..." >&2
log=$work/browser.log
(cd -- "$repo" && GUIDE_RELEVANCE_URL=$url GUIDE_REQUIRE_BROWSER=1 cargo test --quiet --test it \
    relevance_against_pagefind -- --ignored --nocapture --test-threads=1) >"$log" 2>&1 ||
    { cat -- "$log" >&2; die "the relevance run failed"; }

printf '%-46s %-48s %-3s %-80s %-3s %s\n' query "expected lesson" "" "guide: rank, top three" "" "pagefind: rank, top three"
grep '^relevance: ' "$log" | grep -v '^relevance: summary:' | sed 's/^relevance: //'
echo
grep '^relevance: summary:' "$log" | sed 's/^relevance: summary: //'
