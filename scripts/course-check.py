#!/usr/bin/env python3
"""Editor's report on the bundled course: what `guide check` cannot judge.

Per lesson: words of prose (front matter, fenced blocks and table rows left out), self-check
questions, compare blocks, takeaways, exercises, downloads; then phrases repeated across lessons
and runs of 8 words shared with the brief the course was written from.

    scripts/course-check.py [--brief ../shared/CONTENT.md] [--strict]

With --strict it exits 1 when a lesson is outside 600-1,400 words, has no self-check of 3-5
questions with an explanation on every option, or shares a run of 8 words with the brief.
"""

import argparse
import collections
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(```+|~~~+)\s*([\w-]*)")


def split(text):
    """Returns (front matter, body lines outside fences, fenced blocks as (info, lines))."""
    front = ""
    if text.startswith("+++"):
        end = text.index("\n+++", 3)
        front, text = text[3:end], text[end + 4 :]
    prose, blocks, fence = [], [], None
    for line in text.splitlines():
        m = FENCE.match(line.strip())
        if fence is None and m:
            fence = (m.group(1), m.group(2), [])
        elif fence is not None and line.strip().startswith(fence[0]) and line.strip() == line.strip()[0] * len(line.strip()):
            blocks.append((fence[1], fence[2]))
            fence = None
        elif fence is not None:
            fence[2].append(line)
        else:
            prose.append(line)
    return front, prose, blocks


def words(lines):
    text = " ".join(l for l in lines if not l.lstrip().startswith("|") and not l.lstrip().startswith("<"))
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"\{#[^}]*\}", "", text)
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.-]*", text)


def normal(text):
    return re.findall(r"[a-z0-9]+", text.lower())


def shingles(tokens, n=8):
    return {" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def quiz_report(blocks):
    quizzes = [b for info, b in blocks if info == "quiz"]
    if len(quizzes) != 1:
        return f"{len(quizzes)} quiz blocks", False
    body = "\n".join(quizzes[0])
    questions = re.split(r"^\[\[question\]\]\s*$", body, flags=re.M)[1:]
    ok = 3 <= len(questions) <= 5
    unexplained = 0
    for q in questions:
        options = re.split(r"^\[\[question\.option\]\]\s*$", q, flags=re.M)[1:]
        if options:
            unexplained += sum("explain" not in o for o in options)
        elif "explain" not in q:
            unexplained += 1
    ok = ok and unexplained == 0
    note = f"{len(questions)} questions" + (f", {unexplained} without explanation" if unexplained else "")
    return note, ok


def takeaways(prose):
    count, inside = 0, False
    for line in prose:
        if line.startswith("## "):
            inside = "takeaway" in line.lower()
        elif inside and re.match(r"^\s*([-*]|\d+\.)\s", line):
            count += 1
    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brief", default=str(ROOT.parent / "shared" / "CONTENT.md"))
    ap.add_argument("--strict", action="store_true")
    args = ap.parse_args()
    brief = pathlib.Path(args.brief)
    brief_shingles = shingles(normal(brief.read_text())) if brief.exists() else set()

    lessons = sorted(p for p in (ROOT / "content").rglob("*.md") if p.name != "_index.md")
    failures, phrases = [], collections.defaultdict(set)
    rows = []
    totals = collections.Counter()
    for path in lessons:
        rel = path.relative_to(ROOT / "content").as_posix()
        front, prose, blocks = split(path.read_text())
        n = len(words(prose))
        quiz, quiz_ok = quiz_report(blocks)
        compares = sum(info == "compare" for info, _ in blocks)
        exercise = any(re.match(r"^## Exercise", l) for l in prose)
        downloads = len(re.findall(r"\]\((?:\.\./)*[\w/-]*files/[^)]+\)", "\n".join(prose)))
        shared = shingles(normal("\n".join(prose + [l for _, b in blocks for l in b]))) & brief_shingles
        tokens = normal("\n".join(prose))
        for i in range(len(tokens) - 5):
            phrases[" ".join(tokens[i : i + 6])].add(rel)
        rows.append((rel, n, quiz, compares, takeaways(prose), exercise, downloads, len(shared)))
        totals["exercises"] += exercise
        totals["downloads"] += downloads
        problems = []
        if not 600 <= n <= 1400:
            problems.append(f"{n} words of prose (600-1,400)")
        if not quiz_ok:
            problems.append(f"self-check: {quiz}")
        if shared:
            problems.append("shares with the brief: " + "; ".join(sorted(shared)[:3]))
        if problems:
            failures.append((rel, problems))

    print(f"{'lesson':58} {'words':>5}  {'self-check':24} cmp tk ex dl")
    for rel, n, quiz, compares, tk, ex, dl, _ in rows:
        print(f"{rel:58} {n:5}  {quiz:24} {compares:3} {tk:2} {'x' if ex else '-':>2} {dl:2}")
    sections = {r[0].split("/")[0] for r in rows}
    glossary = ROOT / "glossary.toml"
    terms = glossary.read_text().count("[[term]]") if glossary.exists() else 0
    print(
        f"\n{len(rows)} lessons in {len(sections)} sections; {totals['exercises']} with an exercise; "
        f"{totals['downloads']} download links; {terms} glossary terms"
    )
    common = [
        (len(files), p)
        for p, files in phrases.items()
        if len(files) >= 4 and not re.search(r"\b(the|a|of|and|to|in)$", p)
    ]
    print("\nsix-word phrases in 4 or more lessons:")
    for count, p in sorted(common, reverse=True)[:15]:
        print(f"  {count:3}  {p}")
    if failures:
        print("\nto fix:")
        for rel, problems in failures:
            print(f"  {rel}: " + " | ".join(problems))
    return 1 if args.strict and failures else 0


if __name__ == "__main__":
    sys.exit(main())
