#!/usr/bin/env bash
# Lighthouse scores of a built guide as readers get it: built with `guide build`, served by a real
# nginx (unprivileged, in the foreground, on a free port of 127.0.0.1) under a sub-path with the
# configuration docs/nginx.conf shows (gzip, caching), then audited by Lighthouse with Chromium on
# the landing page, a lesson with code and a compare block, the topics index, a track page and the
# 404 page. Prints accessibility / best practices / SEO / performance per page.
#
# Needs: nginx, Chromium, node; `npm ci --prefix scripts/tools` installs the pinned Lighthouse.
# Environment read here:
#   GUIDE_ROOT        the guide to build (default: the bundled guide, this repository)
#   GUIDE_BIN         an already built `guide` binary (default: this checkout, built in debug mode;
#                     the site is the same whichever profile builds it)
#   CHROME_PATH       Chromium (default: chromium on PATH)
#   LIGHTHOUSE_PAGES  the pages, relative to the site root (default: see `pages` below)
#   LIGHTHOUSE_OUT    a folder to keep the JSON reports in (default: a temporary folder, removed)
#   NGINX             nginx (default: /usr/sbin/nginx, else nginx on PATH)
set -euo pipefail
export LC_ALL=C

name=lighthouse
die() {
    echo "$name: $*" >&2
    exit 1
}

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
root=${GUIDE_ROOT:-$repo}
sub=/teams/it-guide/
lighthouse=$repo/scripts/tools/node_modules/.bin/lighthouse
[[ -x $lighthouse ]] || die "no Lighthouse: run \`npm ci --prefix scripts/tools\`"
nginx=${NGINX:-}
if [[ -z $nginx ]]; then
    if [[ -x /usr/sbin/nginx ]]; then nginx=/usr/sbin/nginx; else nginx=$(command -v nginx || true); fi
fi
[[ -n $nginx && -x $nginx ]] || die "nginx not found (set NGINX)"
export CHROME_PATH=${CHROME_PATH:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}
[[ -n $CHROME_PATH ]] || die "Chromium not found (set CHROME_PATH)"
command -v node >/dev/null || die "node not found"

# The landing page, a lesson with code and a compare block, the topics index, a track page, and
# the 404 page at its own address (the page nginx answers a missing one with: Lighthouse gives no
# scores for a page answered with status 404).
read -r -a pages <<<"${LIGHTHOUSE_PAGES:-index.html working-together/devops.html topics/index.html tracks/it-leadership.html 404.html}"

work=$(mktemp -d "${TMPDIR:-/tmp}/guide-lighthouse.XXXXXX")
nginx_pid=
cleanup() {
    if [[ -n $nginx_pid ]]; then
        kill "$nginx_pid" 2>/dev/null || true
        wait "$nginx_pid" 2>/dev/null || true
    fi
    rm -rf -- "$work"
}
trap cleanup EXIT

if [[ -n ${GUIDE_BIN:-} ]]; then
    guide=$GUIDE_BIN
else
    echo "$name: building guide..." >&2
    (cd -- "$repo" && cargo build --quiet --bin guide)
    guide=${CARGO_TARGET_DIR:-$repo/target}/debug/guide
    [[ $guide == /* ]] || guide=$repo/$guide
fi
"$guide" build --root "$root" --out "$work/site" >&2

# nginx with docs/nginx.conf's location block, its folder pointed at the built site.
port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
location=$(sed "s#/srv/it-guide/#$work/site/#" "$repo/docs/nginx.conf")
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
master_process off;
events { worker_connections 128; }
http {
  types { text/html html; text/css css; application/javascript js; image/svg+xml svg;
          image/png png; font/woff2 woff2; application/xml xml; text/plain txt;
          application/json json; text/csv csv; }
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path $work/nginx/client_body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    server_name localhost;
$location
  }
}
EOF
"$nginx" -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" -g "daemon off;" &
nginx_pid=$!
base=http://127.0.0.1:$port$sub
for _ in $(seq 50); do
    curl -fsS -o /dev/null "${base}index.html" 2>/dev/null && break
    sleep 0.1
done
curl -fsS -o /dev/null "${base}index.html" || die "nginx did not serve ${base}index.html: $(cat "$work/nginx/error.log")"
echo "$name: serving $base with nginx (gzip on)" >&2

out=${LIGHTHOUSE_OUT:-$work/reports}
mkdir -p "$out"
printf '%-34s %13s %14s %5s %11s\n' page accessibility best-practices seo performance
for page in "${pages[@]}"; do
    report=$out/$(tr '/' '_' <<<"$page").json
    "$lighthouse" "$base$page" --quiet --output=json --output-path="$report" \
        --only-categories=accessibility,best-practices,seo,performance \
        --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>"$work/lighthouse.log" ||
        die "Lighthouse failed on $page: $(tail -5 "$work/lighthouse.log")"
    node -e '
      const r = require(process.argv[1]);
      const score = (c) => (r.categories[c].score === null ? "n/a" : Math.round(r.categories[c].score * 100));
      const row = [score("accessibility"), score("best-practices"), score("seo"), score("performance")];
      console.log(process.argv[2].padEnd(34) + " " + String(row[0]).padStart(13) + " " +
        String(row[1]).padStart(14) + " " + String(row[2]).padStart(5) + " " + String(row[3]).padStart(11));
      const judged = new Set(["accessibility", "best-practices", "seo"].flatMap((c) =>
        r.categories[c].auditRefs.filter((ref) => ref.weight > 0).map((ref) => ref.id)));
      for (const [id, a] of Object.entries(r.audits)) {
        if (judged.has(id) && a.score !== null && a.score < 1 && a.scoreDisplayMode !== "informative" &&
            a.scoreDisplayMode !== "manual" && a.scoreDisplayMode !== "notApplicable") {
          console.log("    " + id + ": " + a.title + (a.displayValue ? " (" + a.displayValue + ")" : ""));
        }
      }' "$report" "$page"
done
[[ -n ${LIGHTHOUSE_OUT:-} ]] && echo "$name: reports in $out" >&2
exit 0
