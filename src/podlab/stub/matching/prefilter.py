"""Literal prefixes a stub's URL pattern requires, so serving tries only the stubs that can match.

A `urlPattern` / `urlPathPattern` regex is matched whole (Java's `Matcher.matches()`), so the
literal characters it starts with must start the URL (or path) too: `/many/re7/[a-z]+/\\d+`
can only match a URL that starts with `/many/re7/`. A `urlPathTemplate` needs the text before
its first `{`. The extraction is conservative: it stops at the first character that is not
plainly literal, and gives "" (no filter) for anything it does not understand, such as a
top-level alternation or a leading inline flag.
"""

from __future__ import annotations

# Characters that start regex syntax in Java's Pattern (outside a character class).
_SYNTAX = frozenset(".[]()*+?{}|^$\\")
# Quantifiers: the character before one of these may repeat zero times (or, for `+`, more
# than once), so the prefix ends before it.
_QUANTIFIERS = frozenset("*+?{")


def _has_top_level_alternation(regex: str) -> bool:
    """Whether `|` occurs outside every group and character class (then no prefix is required)."""
    depth = 0
    in_class = False
    quoted = False
    index = 0
    while index < len(regex):
        char = regex[index]
        if quoted:  # inside \Q...\E everything is literal
            if regex.startswith("\\E", index):
                quoted = False
                index += 1
        elif char == "\\":
            if regex.startswith("\\Q", index):
                quoted = True
            index += 1  # the escaped character is never syntax
        elif in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            if regex.startswith("[]", index) or regex.startswith("[^]", index):
                index += 2 if regex[index + 1] == "]" else 3  # a leading `]` is literal
                continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth = max(depth - 1, 0)
        elif char == "|" and depth == 0:
            return True
        index += 1
    # Unbalanced or odd input: claim alternation, so the caller keeps the stub unfiltered.
    return quoted or in_class or depth != 0


def regex_literal_prefix(regex: str) -> str:
    """The literal text every whole-string match of `regex` (Java syntax) starts with; "" when
    none is certain. Literal characters and escaped punctuation (`\\/`, `\\.`) count; a leading
    `^` is skipped; the prefix ends at the first other syntax, and drops a character that a
    quantifier follows."""
    if not regex or _has_top_level_alternation(regex):
        return ""
    index = 1 if regex.startswith("^") else 0
    out: list[str] = []
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            escaped = regex[index + 1 : index + 2]
            # \d, \Q, \1, \p{..}: classes, quoting and back references end the prefix;
            # `\/` or `\.` is the character itself.
            if not escaped or escaped.isalnum() or escaped == "_" or not escaped.isascii():
                break
            literal, width = escaped, 2
        elif char in _SYNTAX:
            break
        else:
            literal, width = char, 1
        if regex[index + width : index + width + 1] in _QUANTIFIERS and index + width < len(regex):
            break
        out.append(literal)
        index += width
    return "".join(out)


def template_literal_prefix(template: str) -> str:
    """The text of a `urlPathTemplate` before its first variable (`/contacts/` for
    `/contacts/{id}`); the whole template when it has none."""
    cut = template.find("{")
    return template if cut < 0 else template[:cut]
