"""SQL text helpers that need no database: comment stripping."""


def strip_comments(sql: str) -> str:
    """Return ``sql`` without ``--`` and ``/* */`` comments.

    Quoted strings ('...'), quoted identifiers ("...") and dollar-quoted
    strings ($$...$$) are kept as they are, even when they contain comment
    markers. An unterminated comment or quote runs to the end of the text.
    """
    out = []
    position = 0
    length = len(sql)
    while position < length:
        char = sql[position]
        pair = sql[position : position + 2]
        if pair == "--":
            end = sql.find("\n", position)
            position = length if end == -1 else end
        elif pair == "/*":
            end = sql.find("*/", position + 2)
            position = length if end == -1 else end + 2
            out.append(" ")
        elif char in "'\"":
            end = _closing_quote(sql, position, char)
            out.append(sql[position:end])
            position = end
        elif pair == "$$":
            end = sql.find("$$", position + 2)
            end = length if end == -1 else end + 2
            out.append(sql[position:end])
            position = end
        else:
            out.append(char)
            position += 1
    return "".join(out)


def _closing_quote(sql: str, start: int, quote: str) -> int:
    """Return the position just after the quote that closes the one at ``start``.

    A doubled quote inside the quoted text is an escaped quote.
    """
    position = start + 1
    while position < len(sql):
        if sql[position] == quote:
            if sql[position + 1 : position + 2] == quote:
                position += 2
                continue
            return position + 1
        position += 1
    return len(sql)


def has_statement(sql: str) -> bool:
    """Return whether ``sql`` holds anything but comments, blanks and semicolons."""
    return bool(strip_comments(sql).replace(";", " ").strip())
