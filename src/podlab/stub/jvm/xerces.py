"""Xerces' words (the JDK's XML parser, which WireMock's equalToXml uses) for the XML syntax
errors podlab's parser (lxml/libxml2) reports, in WireMock's `<message>; line L; column C` form.

Observed on the 3.13.2 jar, POSTing a stub with `{"equalToXml": X}` (the 422's detail):

    <a>       XML document structures must start and end within the same entity.; line 1; column 4
    <a><b>    XML document structures must start and end within the same entity.; line 1; column 7
    <a        XML document structures must start and end within the same entity.; line 1; column 3
    abc       Content is not allowed in prolog.; line 1; column 1
    ` abc`    Content is not allowed in prolog.; line 1; column 2
    `  `      Premature end of file.; line 1; column 3
    (empty)   Premature end of file.; line 1; column 1

2.35.1 answers the same. libxml2 reports the same positions for these. Other errors (a mismatched end tag: Xerces points
at the tag's name, libxml2 past it) keep libxml2's message.
"""

from __future__ import annotations

import re

_POSITION = re.compile(r"line (\d+), column (\d+)")
_SAME_ENTITY = "XML document structures must start and end within the same entity."
_TRANSLATED = (
    ("Premature end of data in tag ", _SAME_ENTITY),
    ("Couldn't find end of Start Tag ", _SAME_ENTITY),
    ("Start tag expected, '<' not found", "Content is not allowed in prolog."),
    ("Document is empty", "Premature end of file."),
)


def xerces_message(libxml_message: str, text: str) -> str:
    """Xerces' message for the libxml2 parse error of `text` (which podlab parses stripped),
    or the libxml2 message itself if not known."""
    leading = text[: len(text) - len(text.lstrip())]
    for prefix, words in _TRANSLATED:
        if libxml_message.startswith(prefix):
            positions = _POSITION.findall(libxml_message)
            if not positions or "\n" in leading or "\r" in leading:
                break
            line, column = positions[-1]
            # Xerces counts the leading blanks podlab stripped (` abc`: column 2).
            shift = len(leading) if line == "1" else 0
            return f"{words}; line {line}; column {int(column) + shift}"
    return libxml_message
