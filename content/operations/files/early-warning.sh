#!/usr/bin/env bash
# Morning early-warning check: certificates close to expiry and volumes filling up,
# read from the watch list that monitoring exports every night.
#
#   early-warning.sh [watch-list]      (default: watchlist.txt beside this script)
#
# Exit 0: the check ran; each finding is one line on standard output.
# Exit 2: the check could not run. Never read that as "nothing to report".
set -euo pipefail

readonly CERT_WARN_DAYS="${CERT_WARN_DAYS:-30}"
readonly DISK_WARN_PERCENT="${DISK_WARN_PERCENT:-80}"
readonly WATCHLIST="${1:-$(dirname "$0")/watchlist.txt}"

fail() {
  echo "early-warning: $*" >&2
  exit 2
}

[[ -f "$WATCHLIST" && -r "$WATCHLIST" ]] || fail "cannot read the watch list '$WATCHLIST'"

as_of="" line_no=0 checked=0 findings=0
while read -r kind name value rest || [[ -n "${kind:-}" ]]; do
  line_no=$((line_no + 1))
  where="$WATCHLIST:$line_no"
  case "$kind" in
    "" | \#*) continue ;;
    as-of)
      as_of=$(date -u -d "$name" +%s 2>/dev/null) || fail "$where: bad date '$name'"
      continue
      ;;
    cert | disk) ;;
    *) fail "$where: unknown kind '$kind' (expected as-of, cert or disk)" ;;
  esac
  [[ -n "$as_of" ]] || fail "$where: the as-of line must come before the first entry"
  [[ -n "${value:-}" && -z "${rest:-}" ]] || fail "$where: expected '$kind <name> <value>'"
  checked=$((checked + 1))
  if [[ "$kind" == cert ]]; then
    expiry=$(date -u -d "$value" +%s 2>/dev/null) || fail "$where: bad expiry date '$value'"
    days_left=$(((expiry - as_of) / 86400))
    if ((days_left < CERT_WARN_DAYS)); then
      echo "CERT  $name: expires $value ($days_left days)"
      findings=$((findings + 1))
    fi
  else
    [[ "$value" =~ ^[0-9]+$ ]] || fail "$where: disk use must be a whole percentage, not '$value'"
    if ((value >= DISK_WARN_PERCENT)); then
      echo "DISK  $name: $value% used"
      findings=$((findings + 1))
    fi
  fi
done <"$WATCHLIST"

((checked > 0)) || fail "$WATCHLIST lists nothing to check; an empty export is a broken export"
echo "checked $checked entries: $findings to act on"
