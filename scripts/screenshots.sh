#!/usr/bin/env bash
# Builds the bundled guide and takes headless Chromium screenshots of the pages a reader sees
# first — the landing page, lessons with a comparison, code, a self-check, an exercise and
# downloads, a topic page and search results —
# at desktop and phone widths, in light and dark. Look at them before a release.
#
# Usage: scripts/screenshots.sh [OUT_DIR]     (default: target/screenshots)
# Needs Debian's chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-target/screenshots}
browser=${GUIDE_CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[[ -n $browser ]] || { echo "screenshots: chromium not found (apt-get install chromium)" >&2; exit 1; }

site=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf -- "$site" "$profile"' EXIT

cargo build --release --quiet
target/release/guide build --out "$site/public"
mkdir -p "$out"

pages=(
  "landing|index.html|whole"
  "lesson-compare-code|product-management/roadmaps.html|whole"
  "lesson-self-check|foundations/side-by-side.html|whole"
  "exercise-downloads|operations/proactive-prevention.html|whole"
  "topic|topics/devops.html"
  "topics|topics/index.html"
  "search|index.html?search=budget"
)
sizes=("desktop|1280,900" "phone|390,844")
# A "whole" page is taken in a window tall enough to hold it all.
whole=("desktop|1280,5200" "phone|390,10000")
schemes=("light|--no-op" "dark|--force-dark-mode")

for page in "${pages[@]}"; do
  IFS='|' read -r name path shape <<<"$page"
  shapes=("${sizes[@]}")
  [[ ${shape:-} == whole ]] && shapes=("${whole[@]}")
  for size in "${shapes[@]}"; do
    for scheme in "${schemes[@]}"; do
      file="$out/$name-${size%%|*}-${scheme%%|*}.png"
      "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars --virtual-time-budget=3000 \
        --window-size="${size#*|}" "${scheme#*|}" \
        --screenshot="$file" "file://$site/public/$path" >/dev/null 2>&1
      echo "$file"
    done
  done
done
