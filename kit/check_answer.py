"""`python -m kit check-answer`: check one SQL file against an exercise.

Exit status 0 means correct and 1 any other verdict. Problems to fix before
checking (an unknown exercise, an exercise that takes no SQL, a missing
file or dataset) raise KitError, which the command line turns into status 2.
"""

from pathlib import Path

from kit import db
from kit.checking import judge
from kit.dialects import resolve_dialect
from kit.errors import InputFileError, KitError
from kit.registry import load_registry


def check_sql_file(
    exercise_id: str,
    sql_file: Path,
    db_file: Path | None,
    dialect: str | None = None,
) -> int:
    """Print the verdict for the SQL in ``sql_file`` and return the exit status.

    ``dialect`` is the SQL dialect of the file, None for DuckDB; an unknown
    one raises UnknownDialect, a KitError.
    """
    dialect = resolve_dialect(dialect)
    exercise = load_registry().get(exercise_id)
    if not exercise.takes_sql:
        raise KitError(
            f"exercise {exercise.id} takes a {exercise.answer} answer, not SQL: "
            "check it in its notebook"
        )
    sql = _read_sql(sql_file)
    db_path = db.resolve_db(db_file)
    db.shared_connection(db_path, "candidate")
    _, verdict = judge(exercise.id, sql, dialect=dialect, db_path=db_path)
    print(verdict.text())
    return 0 if verdict.correct else 1


def _read_sql(sql_file: Path) -> str:
    try:
        return sql_file.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise InputFileError(f"SQL file {sql_file} does not exist") from error
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(f"cannot read SQL file {sql_file}: {error}") from error
