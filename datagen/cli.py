"""Command line: ``python -m datagen [--seed 42] [--merchants 1000] ...``.

A thin layer over ``datagen.generate``: it parses the options, prints the
summary, and turns every DatagenError into one line on stderr with exit
status 2.
"""

import argparse
import logging
import os
import sys

from datagen import config
from datagen.errors import DatagenError

PROG = "python -m datagen"


class _Parser(argparse.ArgumentParser):
    """Argument parser whose errors are one line, without the usage block."""

    def error(self, message: str) -> None:
        self.exit(
            2, f"datagen: error: {message}. Run `{PROG} --help` for the options.\n"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description=(
            "Generate the seeded synthetic merchant dataset (DuckDB) and its "
            "answer key. The same options always give the same data."
        ),
    )
    parser.add_argument(
        "--seed",
        default=str(config.DEFAULT_SEED),
        metavar="N",
        help=f"random seed, a whole number from 0 (default: {config.DEFAULT_SEED})",
    )
    parser.add_argument(
        "--merchants",
        default=str(config.DEFAULT_MERCHANTS),
        metavar="N",
        help=(
            f"number of merchants, from {config.MIN_MERCHANTS} to "
            f"{config.MAX_MERCHANTS:,} (default: {config.DEFAULT_MERCHANTS})"
        ),
    )
    parser.add_argument(
        "--as-of",
        default=config.DEFAULT_AS_OF.isoformat(),
        metavar="YYYY-MM-DD",
        help=(
            "as-of date that as_of_date() returns; activity ends the day before "
            f"(default: {config.DEFAULT_AS_OF.isoformat()})"
        ),
    )
    parser.add_argument(
        "--history-days",
        default=str(config.DEFAULT_HISTORY_DAYS),
        metavar="DAYS",
        help=(
            "days of activity before the as-of date, from "
            f"{config.MIN_HISTORY_DAYS} to {config.MAX_HISTORY_DAYS} "
            f"(default: {config.DEFAULT_HISTORY_DAYS} days)"
        ),
    )
    parser.add_argument(
        "--format",
        choices=config.FORMATS,
        default="duckdb",
        help=(
            "duckdb writes one database file; parquet writes a folder with a "
            "Parquet file per table, activity tables partitioned by month "
            "(default: duckdb)"
        ),
    )
    parser.add_argument(
        "--out",
        metavar="PATH",
        help=(
            "where to write, relative to the working folder. For duckdb, the "
            "dataset file; the answer key is written beside it as "
            f"<name>.answers.duckdb (default: {config.DEFAULT_OUT}). For "
            "parquet, a new or empty folder; the answer key goes to "
            f"<folder>.answers (default: {config.DEFAULT_PARQUET_OUT})"
        ),
    )
    parser.add_argument(
        "--workers",
        default=None,
        metavar="N",
        help=(
            "processes that generate activity while the main one writes it, "
            "and that share the per-merchant work of large runs before it; "
            "1 does everything in the main process. The data does not depend "
            "on it (default: one per core, at most "
            f"{config.MAX_DEFAULT_WORKERS})"
        ),
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log each generation step to stderr",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="datagen: %(message)s",
    )
    try:
        seed = config.parse_seed(args.seed)
        merchants = config.parse_merchants(args.merchants)
        as_of = config.parse_as_of(args.as_of)
        history_days = config.parse_history_days(args.history_days)
        workers = None if args.workers is None else config.parse_workers(args.workers)
        if args.format == "parquet":
            from datagen.parquet import generate_parquet as generate

            default_out = config.DEFAULT_PARQUET_OUT
            parse_out = config.parse_out_folder
        else:
            from datagen.build import generate

            default_out = config.DEFAULT_OUT
            parse_out = config.parse_out
        out = parse_out(str(default_out) if args.out is None else args.out)
        summary = generate(
            out,
            seed=seed,
            merchants=merchants,
            as_of=as_of,
            history_days=history_days,
            workers=workers,
            progress=sys.stderr.isatty(),
        )
    except DatagenError as error:
        print(f"datagen: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "datagen: interrupted; the previous dataset is unchanged", file=sys.stderr
        )
        return 130
    try:
        print("\n".join(summary.lines()))
    except BrokenPipeError:
        # The reader (for example `head`) closed the pipe; the files are written.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    return 0
