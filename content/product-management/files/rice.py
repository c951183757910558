#!/usr/bin/env python3
"""Ranks the scheduling squad's candidates by RICE score and fills next quarter's capacity."""
from dataclasses import dataclass

CAPACITY = 12.0          # person-months the team has next quarter
RESERVED_SHARE = 0.25    # held back for operations, security fixes and bugs


@dataclass
class Candidate:
    name: str
    reach: int           # teams affected per quarter
    impact: float        # 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal
    confidence: float    # 1.0 high, 0.8 medium, 0.5 low
    effort: float        # person-months

    @property
    def score(self) -> float:
        return self.reach * self.impact * self.confidence / self.effort


CANDIDATES = [
    Candidate("Faster invitations", 4_000, 2, 0.8, 2),
    Candidate("Room conflict warnings", 1_500, 3, 0.9, 3),
    Candidate("Team availability view", 2_500, 2, 0.5, 4),
    Candidate("Sync with a second calendar provider", 1_200, 1, 0.8, 1.5),
    Candidate("Custom colour themes", 3_000, 0.25, 1.0, 1),
    Candidate("Time-zone support", 800, 3, 0.5, 5),
]


def plan(candidates: list[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    budget = CAPACITY * (1 - RESERVED_SHARE)
    chosen, deferred = [], []
    for c in sorted(candidates, key=lambda c: c.score, reverse=True):
        if c.effort <= budget:
            chosen.append(c)
            budget -= c.effort
        else:
            deferred.append(c)
    return chosen, deferred


if __name__ == "__main__":
    chosen, deferred = plan(CANDIDATES)
    for label, group in (("now", chosen), ("not now", deferred)):
        print(f"-- {label}")
        for c in group:
            print(f"{c.name:<38}{c.score:>8,.0f}{c.effort:>6}")
    planned = sum(c.effort for c in chosen)
    print(f"planned {planned} of {CAPACITY * (1 - RESERVED_SHARE)} person-months, "
          f"{CAPACITY * RESERVED_SHARE} reserved")
