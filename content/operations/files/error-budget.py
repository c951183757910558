"""Error budget of the booking service, from daily request counts.

    python3 error-budget.py [counts.csv]    (default: booking-requests.csv here)

The CSV has one row per UTC day, oldest first: day,requests,failed. A request
counts as failed when the booking service answered with a server error or took
longer than 2 seconds. Exit status: 0 when the report ran, 2 when it could not.
"""
import csv
import sys
from pathlib import Path
from typing import NoReturn

SLO = 0.999            # 99.9% of booking requests succeed ...
WINDOW_DAYS = 30       # ... over a rolling 30 days
POLICY = [             # budget left -> what the agreed error-budget policy says
    (0.50, "normal releases"),
    (0.25, "releases need the operations lead's agreement"),
    (0.00, "releases limited to fixes and reliability work"),
]
EXHAUSTED = "feature releases stop until the 30-day figure recovers"


def fail(message: str) -> NoReturn:
    print(f"error-budget: {message}", file=sys.stderr)
    sys.exit(2)


def load(path: Path) -> list[tuple[str, int, int]]:
    try:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as err:
        fail(f"cannot read the counts: {err}")
    days = []
    for number, row in enumerate(rows, start=2):
        try:
            day, requests, failed = row["day"], int(row["requests"]), int(row["failed"])
        except (KeyError, TypeError, ValueError) as err:
            fail(f"{path}:{number}: expected day,requests,failed ({err})")
        if not 0 <= failed <= requests:
            fail(f"{path}:{number}: failed must be between 0 and requests")
        days.append((day, requests, failed))
    if len(days) < WINDOW_DAYS:
        fail(f"{path} has {len(days)} days; the SLO window needs {WINDOW_DAYS}")
    return days[-WINDOW_DAYS:]


def burn_rate(days: list[tuple[str, int, int]]) -> float:
    """How fast the budget is being spent: 1.0 spends exactly the budget over the window."""
    requests = sum(r for _, r, _ in days)
    failed = sum(f for _, _, f in days)
    return (failed / requests) / (1 - SLO)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("booking-requests.csv")
    days = load(path)
    requests = sum(r for _, r, _ in days)
    failed = sum(f for _, _, f in days)
    budget = round(requests * (1 - SLO))
    left = 1 - failed / budget
    print(f"booking service, {days[0][0]} to {days[-1][0]}: SLO {SLO:.1%} over {WINDOW_DAYS} days")
    print(f"requests {requests:,}, failed {failed:,}, SLI {1 - failed / requests:.3%}")
    print(f"error budget {budget:,} failed requests: {failed / budget:.0%} used, {max(left, 0):.0%} left")
    print(f"burn rate: last day {burn_rate(days[-1:]):.1f}, last 7 days {burn_rate(days[-7:]):.1f}")
    action = next((text for floor, text in POLICY if left > floor), EXHAUSTED)
    print(f"policy: {action}")


if __name__ == "__main__":
    main()
