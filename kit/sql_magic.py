"""The ``%%sql`` cell magic: run a cell's SQL on the dataset and show the result.

The cell runs on the connection check() uses for SQL answers, so a query
behaves in the magic exactly as it does when checked. ``%%sql -o NAME``
stores the query in NAME as a ``SqlAnswer``: the SQL text itself, with its
result in ``.df``. check() takes it as SQL text: it runs the query itself,
flags NaN and infinity from a division by zero, and names the mistakes it
recognises in the SQL, none of which it can do with a DataFrame alone.

Written on IPython's magic API instead of jupysql because jupysql needs a
native DuckDB connection opened with ``python_scan_all_frames`` on, its
JupyterLab plugin is flagged incompatible with JupyterLab 4.6, and it
installs a telemetry client. duckdb-engine, the SQLAlchemy route, leaves a
connection unusable after any failed query.
"""

import pandas as pd
from IPython.core import magic_arguments
from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.display import display

from kit import db, dialects
from kit.checking import run_transpiled
from kit.errors import KitError
from kit.run_sql import SqlFailed

DEFAULT_ROWS_SHOWN = 20


class SqlAnswer(str):
    """A query's text, with its result in ``df`` (None when the query failed).

    ``dialect`` is the SQL dialect the text is written in, None for DuckDB;
    check() reads the text in it unless given another.
    """

    df: pd.DataFrame | None
    dialect: str | None

    def __new__(
        cls, sql: str, frame: pd.DataFrame | None = None, dialect: str | None = None
    ):
        answer = super().__new__(cls, sql)
        answer.df = frame
        answer.dialect = dialect
        return answer


def failure_lines(error: SqlFailed) -> list[str]:
    """Return DuckDB's message as check() lists it for failed SQL."""
    return [line for line in str(error).splitlines() if line.strip()]


def run_cell(
    sql: str, rows_shown: int = DEFAULT_ROWS_SHOWN, dialect: str | None = None
) -> SqlAnswer:
    """Run ``sql`` on the candidate's connection, display the result, return it.

    SQL in another ``dialect`` is transpiled to DuckDB first, as check()
    does. A failed query prints the reason and returns the text with no
    result, so nothing raises and the cell's SQL stays as it was.
    """
    try:
        dialect = dialects.resolve_dialect(dialect)
        connection = db.shared_connection(db.dataset_path(), "candidate")
        duckdb_sql = dialects.to_duckdb(sql, dialect, connection)
        result = run_transpiled(connection, duckdb_sql, dialect)
    except SqlFailed as error:
        print("The SQL failed.")
        for line in failure_lines(error):
            print(line if line.startswith("  ") else "  " + line)
        return SqlAnswer(sql, dialect=dialect)
    except KitError as error:
        print(f"The SQL did not run: {error}")
        return SqlAnswer(sql, dialect=dialect)
    frame = result.frame
    if len(frame) > rows_shown:
        display(frame.head(rows_shown))
        print(f"Showing the first {rows_shown:,} of {len(frame):,} rows.")
    else:
        display(frame)
    return SqlAnswer(sql, frame, dialect)


@magics_class
class SqlMagics(Magics):
    """The kit's SQL magics."""

    @magic_arguments.magic_arguments()
    @magic_arguments.argument(
        "-o",
        "--out",
        metavar="NAME",
        help="store the query in NAME: its text, with the result in NAME.df",
    )
    @magic_arguments.argument(
        "-n",
        "--rows",
        type=int,
        default=DEFAULT_ROWS_SHOWN,
        metavar="N",
        help=f"rows to show (default {DEFAULT_ROWS_SHOWN})",
    )
    @magic_arguments.argument(
        "-d",
        "--dialect",
        metavar="NAME",
        help="SQL dialect of the cell, such as postgres (default: use_dialect())",
    )
    @cell_magic
    def sql(self, line: str, cell: str) -> None:
        """Run the cell's SQL on the dataset and show the result.

        With ``-o NAME`` the query is stored in NAME, so ``check(ID, NAME)``
        checks it as SQL text.
        """
        try:
            args = magic_arguments.parse_argstring(self.sql, line)
        except UsageError as error:
            print(f"%%sql {line}: {error}. Write %%sql or %%sql -o NAME.")
            return
        if args.out is not None and not args.out.isidentifier():
            print(
                f"%%sql -o {args.out}: {args.out!r} is not a Python name; "
                "use letters, digits and underscores, such as -o answer."
            )
            return
        if args.rows < 1:
            print(f"%%sql -n {args.rows}: show at least 1 row, such as -n 20.")
            return
        dialect = args.dialect if args.dialect else dialects.default_dialect()
        answer = run_cell(cell, args.rows, dialect)
        if args.out is not None:
            self.shell.user_ns[args.out] = answer
            if answer.df is None:
                print(f"Stored the query in {args.out}; it has no result.")


def register(ipython) -> None:
    """Register the magics on ``ipython``; registering twice changes nothing."""
    ipython.register_magics(SqlMagics)
