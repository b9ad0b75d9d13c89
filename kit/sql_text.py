"""SQL text helpers that need no database: comment stripping."""

import re

# The opening of a comment, a quoted string or name, or a dollar-quoted string.
_MARKER = re.compile(r"--|/\*|['\"]|\$\$")


def strip_comments(sql: str) -> str:
    """Return ``sql`` without ``--`` and ``/* */`` comments.

    Quoted strings ('...'), quoted identifiers ("...") and dollar-quoted
    strings ($$...$$) are kept as they are, even when they contain comment
    markers. An unterminated comment or quote runs to the end of the text.
    """
    out = []
    position = 0
    length = len(sql)
    while (match := _MARKER.search(sql, position)) is not None:
        start, marker = match.start(), match.group()
        out.append(sql[position:start])
        if marker == "--":
            end = sql.find("\n", start)
            position = length if end == -1 else end
        elif marker == "/*":
            end = sql.find("*/", start + 2)
            position = length if end == -1 else end + 2
            out.append(" ")
        else:
            if marker == "$$":
                end = sql.find("$$", start + 2)
                end = length if end == -1 else end + 2
            else:
                end = _closing_quote(sql, start, marker)
            out.append(sql[start:end])
            position = end
    out.append(sql[position:])
    return "".join(out)


def _closing_quote(sql: str, start: int, quote: str) -> int:
    """Return the position just after the quote that closes the one at ``start``.

    A doubled quote inside the quoted text is an escaped quote.
    """
    position = sql.find(quote, start + 1)
    while position != -1 and sql[position + 1 : position + 2] == quote:
        position = sql.find(quote, position + 2)
    return len(sql) if position == -1 else position + 1


def has_statement(sql: str) -> bool:
    """Return whether ``sql`` holds anything but comments, blanks and semicolons."""
    return bool(strip_comments(sql).replace(";", " ").strip())
