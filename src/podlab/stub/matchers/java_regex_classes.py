"""Character classes of Java regexes, as Python `re` class bodies (no brackets).

`\\p{Lu}`, `\\p{Alpha}`, `\\p{javaLowerCase}`, `\\p{IsAlphabetic}`... : Java's POSIX classes
are ASCII-only; Unicode categories are expanded from `unicodedata` into explicit ranges, built
once on first use (about 0.3 s).
"""

from __future__ import annotations

import sys
import unicodedata
from functools import lru_cache

POSIX = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": "!-/:-@\\[-`{-~",
    "Graph": "!-~",
    "Print": " -~",
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
}
HORIZONTAL_SPACE = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
VERTICAL_SPACE = "\\n\\x0b\\f\\r\\x85\\u2028\\u2029"
JAVA_CHAR_CLASSES = {
    "javaLowerCase": ("Ll",),
    "javaUpperCase": ("Lu",),
    "javaWhitespace": ("Zs", "Zl", "Zp"),
    "javaLetter": ("Lu", "Ll", "Lt", "Lm", "Lo"),
    "javaDigit": ("Nd",),
    "javaLetterOrDigit": ("Lu", "Ll", "Lt", "Lm", "Lo", "Nd"),
    "IsAlphabetic": ("Lu", "Ll", "Lt", "Lm", "Lo", "Nl"),
    "IsLetter": ("Lu", "Ll", "Lt", "Lm", "Lo"),
    "IsDigit": ("Nd",),
    "IsUppercase": ("Lu",),
    "IsLowercase": ("Ll",),
    "IsPunctuation": ("Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"),
}
CATEGORY_NAMES = frozenset(
    [
        "L",
        "M",
        "N",
        "P",
        "S",
        "Z",
        "C",
        "Lu",
        "Ll",
        "Lt",
        "Lm",
        "Lo",
        "Mn",
        "Mc",
        "Me",
        "Nd",
        "Nl",
        "No",
        "Pc",
        "Pd",
        "Ps",
        "Pe",
        "Pi",
        "Pf",
        "Po",
        "Sm",
        "Sc",
        "Sk",
        "So",
        "Zs",
        "Zl",
        "Zp",
        "Cc",
        "Cf",
        "Cs",
        "Co",
        "Cn",
    ]
)


def escape_code_point(cp: int) -> str:
    return f"\\U{cp:08x}"


@lru_cache(maxsize=1)
def _categories() -> dict[str, str]:
    """General category -> class ranges for all of Unicode."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for cp in range(sys.maxunicode + 1):
        spans = ranges.setdefault(unicodedata.category(chr(cp)), [])
        if spans and spans[-1][1] == cp - 1:
            spans[-1] = (spans[-1][0], cp)
        else:
            spans.append((cp, cp))
    return {
        cat: "".join(
            escape_code_point(a) if a == b else f"{escape_code_point(a)}-{escape_code_point(b)}"
            for a, b in spans
        )
        for cat, spans in ranges.items()
    }


def property_class_body(name: str) -> str | None:
    """The class body for Java's \\p{name}; None if Java has no such property."""
    if name in POSIX:
        return POSIX[name]
    for prefix in ("Is", "gc=", "general_category="):
        if name.startswith(prefix) and name[len(prefix) :] in CATEGORY_NAMES:
            name = name[len(prefix) :]
    if name in JAVA_CHAR_CLASSES:
        categories = JAVA_CHAR_CLASSES[name]
    elif name in CATEGORY_NAMES:
        categories = tuple(c for c in CATEGORY_NAMES if c == name or (len(name) == 1 and c[0] == name))
    else:
        return None
    table = _categories()
    return "".join(table.get(c, "") for c in sorted(categories))
