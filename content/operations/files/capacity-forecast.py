"""Capacity forecast for Quayside Software's busiest resources. Run: python3 capacity-forecast.py"""
import math
from dataclasses import dataclass

THRESHOLD = 0.80   # plan to act before any resource passes 80% of its capacity


@dataclass
class Resource:
    name: str
    used: float            # current usage, in the unit of the resource
    capacity: float
    monthly_growth: float  # 0.06 means usage grows 6% a month
    lead_time: float       # months needed to add capacity (approve, order, install)


RESOURCES = [
    Resource("Database storage (GB)", 1_400, 2_000, 0.06, 1),
    Resource("Web tier CPU (cores)", 38, 64, 0.03, 0.25),
    Resource("Backup target (TB)", 58, 80, 0.04, 3),
    Resource("Office internet link (Mbit/s)", 610, 1_000, 0.02, 2),
]


def months_until_threshold(r: Resource) -> float:
    limit = THRESHOLD * r.capacity
    if r.used >= limit:
        return 0.0
    if r.monthly_growth <= 0:
        return math.inf
    return math.log(limit / r.used) / math.log(1 + r.monthly_growth)


if __name__ == "__main__":
    for r in sorted(RESOURCES, key=lambda r: months_until_threshold(r) - r.lead_time):
        left = months_until_threshold(r)
        status = "ACT NOW" if left <= r.lead_time else "ok"
        print(f"{r.name:<31}{r.used / r.capacity:>4.0%} used, {left:4.1f} months to "
              f"{THRESHOLD:.0%}, lead time {r.lead_time:g}: {status}")
