#!/usr/bin/env python3
"""Scores each key result of an OKR file and says which ones need a conversation.

Usage: okr-progress.py [okrs.toml]   (defaults to okrs.toml beside this script)
"""
import pathlib
import sys
import tomllib


def load(path: pathlib.Path) -> dict:
    if not path.is_file():
        sys.exit(f"okr-progress: {path} not found; pass the OKR file as the first argument")
    with path.open("rb") as f:
        return tomllib.load(f)


def progress(kr: dict) -> float:
    done = (kr["current"] - kr["start"]) / (kr["target"] - kr["start"])
    return max(0.0, min(1.0, done))


def status(score: float, elapsed: float) -> str:
    if score >= 0.8 * elapsed:
        return "on track"
    if score >= 0.5 * elapsed:
        return "watch"
    return "behind"


def main() -> None:
    default = pathlib.Path(__file__).resolve().parent / "okrs.toml"
    okrs = load(pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else default)
    quarter = okrs["quarter"]
    elapsed = quarter["week"] / quarter["weeks"]
    print(f"{quarter['name']}, week {quarter['week']} of {quarter['weeks']}: "
          f"{elapsed:.0%} of the quarter gone")
    for obj in okrs["objectives"]:
        scores = [progress(kr) for kr in obj["key_results"]]
        print(f"\n{obj['team']}: {obj['objective']}")
        for kr, score in zip(obj["key_results"], scores):
            print(f"  {kr['name']:<48}{score:>5.2f}  {status(score, elapsed)}")
        print(f"  {'objective':<48}{sum(scores) / len(scores):>5.2f}")


if __name__ == "__main__":
    main()
