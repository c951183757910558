"""Check one service's backup catalogue against the backup policy.

    python3 backup-check.py [catalogue.csv]    (default: booking-db-catalogue.csv here)

The catalogue is the backup tool's CSV export. Its first line names the service and
the export time ("# booking-db backup catalogue, exported 2026-03-09T06:00:00+00:00");
then one row per backup: taken_at (ISO 8601 with offset), kind (daily, weekly or
monthly), copy (primary or offsite) and restore_tested_on (a date, or empty).
Exit status: 0 when the check ran (each problem is printed), 2 when it could not run.
"""
import csv
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NoReturn

POLICY = {
    "max_age": timedelta(hours=26),  # RPO of 24 hours plus the job's run time
    "keep": {"daily": 14, "weekly": 8, "monthly": 12},
    "max_retention": timedelta(days=400),  # records policy: about 13 months, no longer
    "offsite_max_age": timedelta(days=7),
    "restore_test_max_age": timedelta(days=90),
}


def fail(message: str) -> NoReturn:
    print(f"backup-check: {message}", file=sys.stderr)
    sys.exit(2)


def load(path: Path) -> tuple[str, datetime, list[dict]]:
    """Reads the export; stops with a message naming the file and line on bad input."""
    try:
        lines = path.read_text().splitlines()
    except OSError as err:
        fail(f"cannot read the catalogue: {err}")
    header = lines[0] if lines else ""
    if not header.startswith("# ") or ", exported " not in header:
        fail(f"{path}:1: expected '# <service> backup catalogue, exported <time>'")
    service = header[2:].split()[0]
    try:
        exported = datetime.fromisoformat(header.rsplit(" ", 1)[1])
    except ValueError as err:
        fail(f"{path}:1: {err}")
    rows = []
    for number, row in enumerate(csv.DictReader(lines[1:]), start=3):
        try:
            row["taken_at"] = datetime.fromisoformat(row["taken_at"])
            tested = row["restore_tested_on"]
            row["restore_tested_on"] = date.fromisoformat(tested) if tested else None
        except (KeyError, TypeError, ValueError) as err:
            fail(f"{path}:{number}: {err}")
        rows.append(row)
    if not rows:
        fail(f"{path} lists no backups; an empty export is a broken export")
    return service, exported, rows


def check(backups: list[dict], now: datetime) -> list[str]:
    problems = []
    primary = [b for b in backups if b["copy"] == "primary"]

    newest = max((b["taken_at"] for b in primary), default=None)
    if newest is None or now - newest > POLICY["max_age"]:
        hours = POLICY["max_age"] / timedelta(hours=1)
        problems.append(f"no primary backup in the last {hours:g} hours")

    for kind, wanted in POLICY["keep"].items():
        have = sum(1 for b in primary if b["kind"] == kind)
        if have < wanted:
            problems.append(f"{kind}: {have} kept, policy requires {wanted}")

    expired = [b for b in backups if now - b["taken_at"] > POLICY["max_retention"]]
    if expired:
        problems.append(f"{len(expired)} backups are past the retention limit and must be deleted")

    offsite = [b["taken_at"] for b in backups if b["copy"] == "offsite"]
    if not offsite or now - max(offsite) > POLICY["offsite_max_age"]:
        problems.append("no off-site copy in the last 7 days")

    tests = [b["restore_tested_on"] for b in backups if b["restore_tested_on"]]
    last_test = max(tests, default=None)
    if last_test is None or now.date() - last_test > POLICY["restore_test_max_age"]:
        problems.append(f"no restore test in the last 90 days (last: {last_test or 'never'})")

    return problems


if __name__ == "__main__":
    default = Path(__file__).with_name("booking-db-catalogue.csv")
    service, exported, backups = load(Path(sys.argv[1]) if len(sys.argv) > 1 else default)
    problems = check(backups, exported)
    print(f"{service} at {exported:%Y-%m-%d %H:%M}: {len(backups)} backups, "
          f"{'policy met' if not problems else f'{len(problems)} problem(s)'}")
    for p in problems:
        print(f"  - {p}")
