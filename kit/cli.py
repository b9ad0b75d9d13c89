"""The `python -m kit` command line. Each verb calls one library function."""

import argparse
import logging
import os
import sys
from pathlib import Path

from kit.errors import KitError

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m kit",
        description="Practise B2B analytics interviews: check answers, run notebooks.",
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (-vv: debug)"
    )
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    verbs.add_parser("list", help="list the exercises and your status")
    verbs.add_parser("progress", help="show your progress per notebook")

    check_answer = verbs.add_parser(
        "check-answer", help="check one SQL file against an exercise"
    )
    check_answer.add_argument("exercise_id", metavar="EXERCISE_ID")
    check_answer.add_argument(
        "--sql", required=True, type=Path, metavar="FILE", help="the SQL file to check"
    )
    check_answer.add_argument(
        "--db", type=Path, metavar="PATH", help="dataset file (default: $KIT_DB)"
    )
    check_answer.add_argument(
        "--dialect",
        metavar="NAME",
        help="the SQL dialect of FILE: duckdb (default), postgres, mysql, "
        "snowflake, bigquery or redshift",
    )

    check = verbs.add_parser(
        "check", help="re-run notebooks and check every exercise in them"
    )
    check.add_argument(
        "notebooks", nargs="*", metavar="NOTEBOOK", help="default: the workspace's"
    )

    reset = verbs.add_parser(
        "reset", help="lay a fresh copy of a notebook, keeping yours as a backup"
    )
    reset.add_argument("notebook", metavar="NOTEBOOK", help="stem, file name or path")

    verbs.add_parser(
        "lab",
        help="prepare data and workspace, start JupyterLab",
        description="Any further arguments are passed to JupyterLab.",
    )

    build = verbs.add_parser(
        "build-solutions", help="build solutions/notebooks from the templates"
    )
    build.add_argument(
        "--check",
        action="store_true",
        help="only report solved notebooks whose sources are stale (exit 1)",
    )
    release = verbs.add_parser(
        "release", help="build one folder per candidate of a roster, without answers"
    )
    release.add_argument("--roster", required=True, type=Path, metavar="CSV")
    release.add_argument("--out", required=True, type=Path, metavar="DIR")
    release.add_argument(
        "--secret-file",
        type=Path,
        metavar="FILE",
        help="the class secret (default: create DIR/class-secret.txt)",
    )
    release.add_argument(
        "--only", metavar="CANDIDATE_ID", help="rebuild one candidate's folder"
    )
    release.add_argument(
        "--merchants", type=int, metavar="N", help="merchants per dataset"
    )
    release.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="candidate folders built at a time (default: 1)",
    )
    grade = verbs.add_parser(
        "grade", help="re-run every submission and write the class report"
    )
    grade.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    grade.add_argument("--roster", required=True, type=Path, metavar="CSV")
    grade.add_argument("--secret-file", required=True, type=Path, metavar="FILE")
    grade.add_argument("--out", required=True, type=Path, metavar="DIR")
    grade.add_argument("--jobs", type=int, default=1, metavar="N")
    grade.add_argument(
        "--timeout", type=int, default=120, metavar="SECONDS", help="per cell"
    )
    grade.add_argument(
        "--memory-mb", type=int, default=3000, metavar="MB", help="per kernel"
    )
    grade.add_argument(
        "--merchants", type=int, metavar="N", help="as given to kit release"
    )
    mock = verbs.add_parser(
        "mock",
        help="lay out a timed mock interview, or grade one",
        description=(
            "Lay out a mock interview: one exercise of each question type on a "
            "fresh dataset, in a new folder. With --grade, grade a finished one."
        ),
    )
    # Numbers are read as text and checked by kit.mock, so a bad value gets
    # one line naming it instead of argparse's usage text.
    mock.add_argument(
        "--minutes", metavar="N", help="time limit in minutes (default 45)"
    )
    mock.add_argument(
        "--seed",
        metavar="N",
        help="seed of the questions and the dataset (default: random)",
    )
    mock.add_argument(
        "--out", type=Path, metavar="DIR", help="new folder (default: workspace/mocks/)"
    )
    mock.add_argument(
        "--merchants", metavar="N", help="merchants in the dataset (default 1000)"
    )
    mock.add_argument("--grade", type=Path, metavar="DIR", help="grade the mock in DIR")
    return parser


def run_mock(args: argparse.Namespace) -> int:
    from kit import mock

    if args.grade is not None:
        options = ("minutes", "seed", "out", "merchants")
        given = [f"--{name}" for name in options if getattr(args, name) is not None]
        if given:
            raise KitError(
                f"--grade takes no {', '.join(given)}: grade with "
                "`python -m kit mock --grade DIR` alone"
            )
        from kit.mock_grade import grade_mock

        grade_mock(args.grade)
        return 0
    minutes = mock.DEFAULT_MINUTES
    if args.minutes is not None:
        minutes = mock.whole_number("--minutes", args.minutes, 1, mock.MAX_MINUTES, 45)
    seed = None
    if args.seed is not None:
        seed = mock.whole_number("--seed", args.seed, 0, mock.MAX_SEED, 7)
    merchants = mock.DEFAULT_MERCHANTS
    if args.merchants is not None:
        merchants = mock.whole_number(
            "--merchants", args.merchants, mock.MIN_MERCHANTS, mock.MAX_MERCHANTS, 1000
        )
    notebook = mock.build_mock(args.out, minutes, seed, merchants)
    print(f"Wrote {notebook}. Open it in JupyterLab and run the first cell.")
    print(f"When you are done: python -m kit mock --grade {notebook.parent}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.verb == "list":
        from kit.listing import exercise_table

        print(exercise_table())
        return 0
    if args.verb == "progress":
        from kit.progress_report import progress_table

        print(progress_table())
        return 0
    if args.verb == "check-answer":
        from kit.check_answer import check_sql_file

        return check_sql_file(args.exercise_id, args.sql, args.db, args.dialect)
    if args.verb == "check":
        from kit.selfcheck import run_self_check

        return run_self_check(args.notebooks)
    if args.verb == "reset":
        from kit.workspace import reset_notebook

        target, backup = reset_notebook(args.notebook)
        if backup is not None:
            print(f"Saved your copy as {backup.name}.")
        print(f"Laid a fresh {target.name} in {target.parent}.")
        return 0
    if args.verb == "lab":
        from kit.lab import start_lab

        start_lab(args.jupyter_args)
        return 0
    if args.verb == "mock":
        return run_mock(args)
    if args.verb == "release":
        from kit.release import build_release

        build_release(
            args.roster,
            args.out,
            args.secret_file,
            args.only,
            args.merchants,
            jobs=args.jobs,
        )
        return 0
    if args.verb == "grade":
        from kit.grade import grade

        rows = grade(
            args.submissions,
            args.roster,
            args.secret_file,
            args.out,
            jobs=args.jobs,
            timeout=args.timeout,
            memory_mb=args.memory_mb,
            merchants=args.merchants,
        )
        correct = sum(row.verdict == "correct" for row in rows)
        print(f"Graded {len(rows)} verdicts ({correct} correct); report in {args.out}")
        return 0
    from kit.build import build_solutions

    return build_solutions(check_only=args.check)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.verb == "lab":
        args.jupyter_args = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return run(args)
    except KitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of stdout exited early, as `head` does. Point stdout at
        # devnull so that the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
