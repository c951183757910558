"""Three-year model of Quayside Software's IT budget. Run: python3 it-budget.py"""
from dataclasses import dataclass

YEARS = 3
CONTINGENCY = 0.10


@dataclass
class Line:
    name: str
    category: str            # "run", "grow" or "transform"
    amount: float            # euros in year one (opex) or purchase price (capex)
    capex: bool = False
    life_years: int = 3      # straight-line depreciation period for capex
    growth: float = 0.0      # yearly price or usage growth for opex
    years: int = YEARS       # how many years an opex line runs


LINES = [
    Line("Laptop refresh (40 units)", "run", 48_000, capex=True, life_years=3),
    Line("Cloud: staging, test and restore", "run", 60_000, growth=0.15),
    Line("SaaS licences", "run", 35_000, growth=0.07),
    Line("Support contract renewals", "run", 12_000, growth=0.05),
    Line("Accounts and tools for new hires", "grow", 18_000, growth=0.10),
    Line("Data platform pilot", "transform", 25_000, years=1),
]


def yearly_cost(line: Line, year: int) -> float:
    if line.capex:
        return line.amount / line.life_years if year < line.life_years else 0.0
    if year >= line.years:
        return 0.0
    return line.amount * (1 + line.growth) ** year


def model() -> dict[str, list[float]]:
    totals = {c: [0.0] * YEARS for c in ("run", "grow", "transform")}
    for line in LINES:
        for year in range(YEARS):
            totals[line.category][year] += yearly_cost(line, year)
    return totals


if __name__ == "__main__":
    totals = model()
    print(f"{'category':<10}" + "".join(f"{'year ' + str(y + 1):>12}" for y in range(YEARS)))
    for category, values in totals.items():
        print(f"{category:<10}" + "".join(f"{v:>12,.0f}" for v in values))
    subtotal = [sum(v[y] for v in totals.values()) for y in range(YEARS)]
    with_buffer = [s * (1 + CONTINGENCY) for s in subtotal]
    print(f"{'budget':<10}" + "".join(f"{v:>12,.0f}" for v in with_buffer))
    share = sum(totals["run"]) / sum(subtotal)
    print(f"run share over {YEARS} years: {share:.0%}")
