"""One month of the cloud bill, read the way a FinOps review reads it.

    python3 cloud-costs.py [bill.csv]    (default: cloud-bill-2026-02.csv here)

The CSV is the provider's cost export, grouped by the tags every resource should
carry: service,environment,team,cost_eur. An empty tag means nobody tagged it.
Exit status: 0 when the report ran, 2 when the bill could not be read.
"""
import csv
import sys
from collections import defaultdict
from pathlib import Path
from typing import NoReturn

PAYING_USERS = 100_000      # paying users in the billing month, from the product's own figures
PLANNED_PER_USER = 0.45     # euros per paying user per month: the 2025 average finance plans with


def fail(message: str) -> NoReturn:
    print(f"cloud-costs: {message}", file=sys.stderr)
    sys.exit(2)


def load(path: Path) -> list[dict]:
    try:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as err:
        fail(f"cannot read the bill: {err}")
    for number, row in enumerate(rows, start=2):
        try:
            row["cost_eur"] = float(row["cost_eur"])
        except (KeyError, TypeError, ValueError) as err:
            fail(f"{path}:{number}: expected service,environment,team,cost_eur ({err})")
    if not rows:
        fail(f"{path} has no cost lines; an empty export is a broken export")
    return rows


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("cloud-bill-2026-02.csv")
    rows = load(path)
    total = sum(r["cost_eur"] for r in rows)
    by_env = defaultdict(float)
    for r in rows:
        by_env[r["environment"] or "(untagged)"] += r["cost_eur"]
    untagged = sum(r["cost_eur"] for r in rows if not (r["environment"] and r["team"]))

    print(f"total EUR {total:,.0f}")
    for env, cost in sorted(by_env.items(), key=lambda item: -item[1]):
        print(f"  {env:<14} EUR {cost:>7,.0f}  {cost / total:>4.0%}")
    per_user = total / PAYING_USERS
    print(f"per paying user: EUR {per_user:.3f} (planned {PLANNED_PER_USER:.2f})")
    print(f"without an owner tag: EUR {untagged:,.0f} ({untagged / total:.0%} of the bill)")


if __name__ == "__main__":
    main()
