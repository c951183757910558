"""Where the time goes in access requests, and what auto-approval would change. Run: python3 access-flow.py"""
from datetime import datetime
from statistics import mean, median

# One row per access request: when it was created, approved by the line
# manager, picked up by IT, and completed. "standard" means the request asks
# for a predefined role bundle rather than a one-off set of permissions.
REQUESTS = [
    # id,    standard, created,            approved,           picked_up,          done
    ("A-101", True,  "2025-03-03 09:10", "2025-03-04 16:30", "2025-03-05 10:00", "2025-03-05 11:20"),
    ("A-102", True,  "2025-03-03 11:45", "2025-03-03 15:00", "2025-03-04 09:30", "2025-03-04 10:10"),
    ("A-103", False, "2025-03-04 08:30", "2025-03-06 12:00", "2025-03-07 09:00", "2025-03-07 15:30"),
    ("A-104", True,  "2025-03-04 14:00", "2025-03-07 09:15", "2025-03-07 13:00", "2025-03-07 13:45"),
    ("A-105", True,  "2025-03-05 10:20", "2025-03-05 17:40", "2025-03-06 11:00", "2025-03-06 11:30"),
    ("A-106", False, "2025-03-05 13:00", "2025-03-06 10:00", "2025-03-07 14:00", "2025-03-07 16:30"),
    ("A-107", True,  "2025-03-06 09:00", "2025-03-10 08:50", "2025-03-10 11:00", "2025-03-10 11:40"),
    ("A-108", True,  "2025-03-07 15:30", "2025-03-10 09:30", "2025-03-10 14:00", "2025-03-10 14:50"),
]


def hours(start: str, end: str) -> float:
    fmt = "%Y-%m-%d %H:%M"
    return (datetime.strptime(end, fmt) - datetime.strptime(start, fmt)).total_seconds() / 3600


def measure(rows):
    stages = {"waiting for approval": [], "waiting in IT queue": [], "being worked on": []}
    lead = []
    for _, _, created, approved, picked, done in rows:
        stages["waiting for approval"].append(hours(created, approved))
        stages["waiting in IT queue"].append(hours(approved, picked))
        stages["being worked on"].append(hours(picked, done))
        lead.append(hours(created, done))
    return stages, lead


stages, lead = measure(REQUESTS)
print(f"requests: {len(REQUESTS)}, median lead time: {median(lead):.0f} h, mean: {mean(lead):.0f} h")
for name, values in stages.items():
    share = sum(values) / sum(lead)
    print(f"  {name:<22} mean {mean(values):5.1f} h  ({share:.0%} of all lead time)")
efficiency = sum(stages["being worked on"]) / sum(lead)
print(f"flow efficiency: {efficiency:.0%}")

# Proposal: approve standard role bundles automatically. Their approval wait
# disappears; every other stage is assumed to take as long as before.
approval = stages["waiting for approval"]
after = [
    total - wait if standard else total
    for (_, standard, *_), total, wait in zip(REQUESTS, lead, approval)
]
print(f"after auto-approval: median lead time {median(after):.0f} h, mean {mean(after):.0f} h")
