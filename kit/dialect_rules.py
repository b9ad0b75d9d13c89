"""Per-dialect rules from dialect_rules.yaml: what a dialect lacks, what differs.

The file is validated when it loads, and an invalid entry raises KitError
naming the entry, the field and the fix. Patterns are matched against the
candidate's SQL as written, with comments blanked out, so line and column
numbers are those of the candidate's text. A match that starts inside a
quoted string or a quoted identifier is ignored.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kit.errors import KitError

RULES_PATH = Path(__file__).with_name("dialect_rules.yaml")
RULE_DIALECTS = ("postgres", "mysql", "snowflake", "bigquery", "redshift")
RULE_FIELDS = ("id", "construct", "pattern", "dialects")
# Dialects where # starts a comment and backticks quote an identifier.
HASH_COMMENT_DIALECTS = ("mysql", "bigquery")
SECTIONS = ("lacks", "differences")


@dataclass(frozen=True)
class Rule:
    """One construct, its pattern, and one line of advice per dialect."""

    id: str
    construct: str
    pattern: re.Pattern
    advice: dict[str, str]


@dataclass(frozen=True)
class Rules:
    """The constructs dialects lack, and those whose results differ in DuckDB."""

    lacks: tuple[Rule, ...]
    differences: tuple[Rule, ...]


@dataclass(frozen=True)
class Match:
    """The place of a rule's first match: 1-based line and column."""

    rule: Rule
    line: int
    column: int


@functools.cache
def load_rules(path: Path = RULES_PATH) -> Rules:
    """Load and validate the rules file, raising KitError on an invalid entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise KitError(f"cannot read the dialect rules {path.name}: {error}") from error
    if not isinstance(data, dict) or set(data) != set(SECTIONS):
        raise KitError(
            f"{path.name} must be a mapping with exactly the sections "
            f"{', '.join(SECTIONS)}"
        )
    seen: set[str] = set()
    sections = {}
    for section in SECTIONS:
        entries = data[section]
        if not isinstance(entries, list):
            raise KitError(f"{path.name}: `{section}` must be a list of entries")
        sections[section] = tuple(
            _rule(entry, f"{path.name} {section}[{index}]", seen)
            for index, entry in enumerate(entries)
        )
    return Rules(**sections)


def _rule(entry, where: str, seen: set[str]) -> Rule:
    if not isinstance(entry, dict):
        raise KitError(f"{where} must be a mapping with {', '.join(RULE_FIELDS)}")
    missing = [name for name in RULE_FIELDS if name not in entry]
    unknown = sorted(set(entry) - set(RULE_FIELDS))
    if missing or unknown:
        raise KitError(
            f"{where} has missing fields {missing} or unknown fields {unknown}; "
            f"give exactly {', '.join(RULE_FIELDS)}"
        )
    rule_id = entry["id"]
    if not isinstance(rule_id, str) or not rule_id or rule_id in seen:
        raise KitError(
            f"{where} needs an `id` that is text and unique, not {rule_id!r}"
        )
    seen.add(rule_id)
    where = f"{where} ({rule_id})"
    for name in ("construct", "pattern"):
        if not isinstance(entry[name], str) or not entry[name].strip():
            raise KitError(f"{where}: `{name}` must be non-empty text")
    try:
        pattern = re.compile(entry["pattern"], re.IGNORECASE)
    except re.error as error:
        raise KitError(
            f"{where}: `pattern` is not a regular expression ({error})"
        ) from error
    advice = entry["dialects"]
    if not isinstance(advice, dict) or not advice:
        raise KitError(f"{where}: `dialects` must map dialect names to one line each")
    for dialect, text in advice.items():
        if dialect not in RULE_DIALECTS:
            raise KitError(
                f"{where}: unknown dialect {dialect!r} under `dialects`; use one "
                f"of {', '.join(RULE_DIALECTS)}"
            )
        if not isinstance(text, str) or not text.strip():
            raise KitError(f"{where}: the line for {dialect} must be non-empty text")
    return Rule(rule_id, entry["construct"].strip(), pattern, dict(advice))


def find_matches(sql: str, rules: tuple[Rule, ...], dialect: str) -> list[Match]:
    """Return where each rule that applies to ``dialect`` matches ``sql``.

    Every rule is reported once, at its first match, in the order of the text.
    """
    text, quoted = _blank_comments(sql, dialect in HASH_COMMENT_DIALECTS)
    found = []
    for rule in rules:
        if dialect not in rule.advice:
            continue
        for hit in rule.pattern.finditer(text):
            if not quoted[hit.start()]:
                line, column = _line_and_column(sql, hit.start())
                found.append(Match(rule, line, column))
                break
    return sorted(found, key=lambda match: (match.line, match.column))


def _line_and_column(sql: str, position: int) -> tuple[int, int]:
    line = sql.count("\n", 0, position) + 1
    column = position - (sql.rfind("\n", 0, position) + 1) + 1
    return line, column


def _blank_comments(sql: str, mysql_style: bool = False) -> tuple[str, list[bool]]:
    """Return ``sql`` with comments as spaces, and which characters are quoted.

    Line breaks inside comments are kept, so positions keep their line and
    column. Text between single quotes, double quotes or $$ is marked
    quoted, and so are its quotes. With ``mysql_style``, as in MySQL and
    BigQuery, # also starts a comment and backticks quote too.
    """
    quotes = "'\"`" if mysql_style else "'\""
    chars = list(sql)
    quoted = [False] * (len(sql) + 1)
    position = 0
    length = len(sql)
    while position < length:
        pair = sql[position : position + 2]
        if pair == "--" or (mysql_style and sql[position] == "#"):
            end = sql.find("\n", position)
            end = length if end == -1 else end
        elif pair == "/*":
            end = sql.find("*/", position + 2)
            end = length if end == -1 else end + 2
        elif sql[position] in quotes or pair == "$$":
            end = _closing(sql, position)
            quoted[position:end] = [True] * (end - position)
            position = end
            continue
        else:
            position += 1
            continue
        for index in range(position, end):
            if chars[index] != "\n":
                chars[index] = " "
        position = end
    return "".join(chars), quoted


def _closing(sql: str, start: int) -> int:
    """Return the position after the quote that closes the one at ``start``.

    A doubled quote inside the quoted text is an escaped quote, and an
    unclosed quote runs to the end of the text.
    """
    if sql.startswith("$$", start):
        end = sql.find("$$", start + 2)
        return len(sql) if end == -1 else end + 2
    quote = sql[start]
    position = start + 1
    while position < len(sql):
        if sql[position] == quote:
            if sql[position + 1 : position + 2] == quote:
                position += 2
                continue
            return position + 1
        position += 1
    return len(sql)
