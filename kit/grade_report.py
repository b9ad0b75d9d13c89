"""The grading report: a CSV of every verdict and an HTML summary page."""

import csv
import html
from collections import Counter, defaultdict
from pathlib import Path

from kit.registry import load_registry

CSV_NAME = "grades.csv"
VERDICTS_NAME = "verdicts.csv"
HTML_NAME = "report.html"
FIELDS = ("candidate_id", "notebook", "exercise_id", "verdict", "mistakes", "detail")


def write_report(rows, out: Path) -> None:
    """Write grades.csv (candidate by exercise), verdicts.csv and report.html."""
    with open(out / VERDICTS_NAME, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(FIELDS)
        for row in sorted(rows, key=lambda r: (r.candidate_id, r.exercise_id)):
            writer.writerow([getattr(row, name) for name in FIELDS])
    exercise_ids = [e.id for e in load_registry()]
    by_candidate = defaultdict(dict)
    for row in rows:
        verdicts = by_candidate[row.candidate_id]
        if row.exercise_id or row.verdict == "not on roster":
            verdicts[row.exercise_id] = row.verdict
    with open(out / CSV_NAME, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["candidate_id", *exercise_ids])
        for candidate_id, verdicts in sorted(by_candidate.items()):
            # A folder of someone not on the roster fills its row with that;
            # otherwise a gap is a notebook the candidate did not hand in.
            off_roster = verdicts.get("") == "not on roster"
            default = "not on roster" if off_roster else "not submitted"
            writer.writerow(
                [candidate_id, *(verdicts.get(e, default) for e in exercise_ids)]
            )
    (out / HTML_NAME).write_text(_page(rows), encoding="utf-8")


def _page(rows) -> str:
    registry = load_registry()
    graded = [row for row in rows if row.exercise_id]
    by_exercise = defaultdict(list)
    by_type = defaultdict(list)
    for row in graded:
        by_exercise[row.exercise_id].append(row)
        kind = registry.get(row.exercise_id).question_type
        by_type[kind].append(row)
    parts = ["<!doctype html><meta charset='utf-8'><title>Grades</title>"]
    parts.append("<h1>Grades</h1>")
    parts.append("<h2>Pass rate per question type</h2>")
    parts.append(_bars(by_type))
    parts.append("<h2>Pass rate per exercise</h2>")
    parts.append(_bars(by_exercise))
    parts.append("<h2>Most common diagnostics</h2><ul>")
    for exercise_id, items in sorted(by_exercise.items()):
        # Named mistakes group across candidates; other details quote each
        # candidate's own numbers, so only the verdict groups them.
        common = Counter(
            r.mistakes or r.verdict for r in items if r.verdict != "correct"
        )
        for detail, count in common.most_common(2):
            parts.append(
                f"<li><b>{html.escape(exercise_id)}</b> ({count}): "
                f"{html.escape(detail)}</li>"
            )
    parts.append("</ul><h2>Candidates</h2><table border='1'>")
    parts.append("<tr><th>candidate</th><th>correct</th><th>other</th></tr>")
    by_candidate = defaultdict(list)
    for row in rows:
        by_candidate[row.candidate_id].append(row)
    for candidate_id, items in sorted(by_candidate.items()):
        correct = sum(r.verdict == "correct" for r in items)
        other = Counter(r.verdict for r in items if r.verdict != "correct")
        summary = ", ".join(f"{verdict}: {n}" for verdict, n in sorted(other.items()))
        parts.append(
            f"<tr><td>{html.escape(candidate_id)}</td><td>{correct}</td>"
            f"<td>{html.escape(summary)}</td></tr>"
        )
    parts.append("</table>")
    return "\n".join(parts)


def _bars(groups) -> str:
    """Return an SVG bar chart of the share of correct verdicts per group."""
    width, height = 520, 22
    lines = [f"<svg width='{width + 260}' height='{height * len(groups) + 10}'>"]
    for position, (name, items) in enumerate(sorted(groups.items())):
        rate = sum(r.verdict == "correct" for r in items) / len(items)
        y = position * height + 5
        lines.append(
            f"<text x='0' y='{y + 15}' font-size='12'>{html.escape(name)}</text>"
            f"<rect x='250' y='{y}' width='{rate * width:.0f}' height='16' "
            "fill='#4c72b0'/>"
            f"<text x='{255 + rate * width:.0f}' y='{y + 13}' font-size='12'>"
            f"{rate:.0%} of {len(items)}</text>"
        )
    lines.append("</svg>")
    return "\n".join(lines)
