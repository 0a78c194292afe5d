"""String helpers: Handlebars.java's `StringHelpers` and WireMock's string-shaped helpers.

Each follows the Java implementation's observable output on WireMock 3.13.2 (commons-lang
`StringUtils`/`WordUtils` semantics, `URLEncoder`, `DecimalFormat`). WireMock reports bad input
inside the output as `[ERROR: ...]` rather than failing the response.
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from podlab.stub.matchers.java_regex import JavaRegexError, compile_java_regex
from podlab.stub.templating.engine import Helper, Options
from podlab.stub.templating.helpers_core import runtime_error
from podlab.stub.templating.values import ListOrSingle, is_empty, java_class_name, java_str


def error(message: str) -> str:
    """WireMock's `HandlebarsHelper.handleError`: the message, inline in the output."""
    return f"[ERROR: {message}]"


def _text(value: Any) -> str:
    return "" if value is None else java_str(value)


def _int(value: Any, default: int) -> int:
    try:
        return int(Decimal(java_str(value)))
    except (InvalidOperation, ValueError):
        return default


def _upper(o: Options) -> Any:
    return _text(o.context).upper()


def _lower(o: Options) -> Any:
    return _text(o.context).lower()


def _capitalize_first(o: Options) -> Any:
    text = _text(o.context)
    return text[:1].upper() + text[1:]


def _capitalize(o: Options) -> Any:
    # WordUtils.capitalize / capitalizeFully (fully=true lowercases the rest of each word).
    text = _text(o.context)
    fully = o.hash.get("fully") is True
    if fully:
        text = text.lower()
    return re.sub(r"(^|\s)(\S)", lambda m: m.group(1) + m.group(2).upper(), text)


def _center(o: Options) -> Any:
    text = _text(o.context)
    size = _int(o.hash.get("size"), len(text))
    pad = _text(o.hash.get("pad", " ")) or " "
    missing = size - len(text)
    if missing <= 0:
        return text
    left = missing // 2
    return _pad(o, pad, left) + text + _pad(o, pad, missing - left)


def _pad(o: Options, pad: str, count: int) -> str:
    o.spend_output(max(count, 0))  # size=2000000000 must fail before the string is built
    return (pad * count)[:count]


def _ljust(o: Options) -> Any:
    text = _text(o.context)
    size = _int(o.hash.get("size"), len(text))
    return text + _pad(o, _text(o.hash.get("pad", " ")) or " ", size - len(text))


def _rjust(o: Options) -> Any:
    text = _text(o.context)
    size = _int(o.hash.get("size"), len(text))
    return _pad(o, _text(o.hash.get("pad", " ")) or " ", size - len(text)) + text


def _cut(o: Options) -> Any:
    return _text(o.context).replace(_text(o.arg(1, " ")), "")


def _default_if_empty(o: Options) -> Any:
    return o.arg(1, "") if is_empty(o.context) else o.context


def _join(o: Options) -> Any:
    # {{join list sep}} or {{join a b c sep}}: the last parameter is the separator.
    if len(o.args) < 2:
        values = o.args[0] if o.args and isinstance(o.args[0], list | tuple) else o.args
        separator = " "
    else:
        if not isinstance(o.args[-1], str):  # Handlebars.java's join: the separator is a String
            raise runtime_error(
                o,
                "java.lang.IllegalArgumentException",
                f"found '{java_str(o.args[-1])}', expected 'separator' at param[{len(o.args) - 2}]",
            )
        separator = o.args[-1]
        head = o.args[:-1]
        values = head[0] if len(head) == 1 and isinstance(head[0], list | tuple) else head
    prefix, suffix = _text(o.hash.get("prefix")), _text(o.hash.get("suffix"))
    return prefix + separator.join(_text(v) for v in values) + suffix


def _substring(o: Options) -> Any:
    text = _text(o.context)
    start = _int(o.arg(1), 0)
    end = _int(o.arg(2), len(text)) if len(o.args) > 2 else len(text)
    if not 0 <= start <= end <= len(text):
        raise runtime_error(
            o,
            "java.lang.StringIndexOutOfBoundsException",
            f"begin {start}, end {end}, length {len(text)}",
        )
    return text[start:end]


def _slugify(o: Options) -> Any:
    # Letters and digits of any script stay; everything else but spaces and '-' goes (even '_').
    kept = "".join(ch for ch in _text(o.context) if ch.isalnum() or ch.isspace() or ch == "-")
    return re.sub(r"\s", "-", kept.strip().lower())


_JAVA_FORMAT = re.compile(r"%(\d+\$)?([-#+ 0,(]*)(\d+)?(\.\d+)?([a-zA-Z%])")


def _string_format(o: Options) -> Any:
    """`String.format` for the common conversions (%s %d %f %x %e %b %c %n %%)."""
    fmt = _text(o.context)
    args = list(o.args[1:])
    position = 0

    def convert(m: re.Match[str]) -> str:
        nonlocal position
        index_spec, flags, width, precision, conversion = m.groups()
        if conversion == "%":
            return "%"
        if conversion == "n":
            return "\n"
        if index_spec:
            value = args[int(index_spec[:-1]) - 1] if int(index_spec[:-1]) <= len(args) else None
        else:
            value = args[position] if position < len(args) else None
            position += 1
        spec = flags.replace(",", "").replace("(", "") + (width or "") + (precision or "")
        grouping = "," in flags
        if conversion in "sS":
            text = _text(value) if value is not None else "null"
            text = f"{text:{'<' if '-' in flags else '>'}{width or ''}}"[:None]
            return text.upper() if conversion == "S" else text
        if conversion in "bB":
            text = "false" if value is None or value is False else "true"
            return text.upper() if conversion == "B" else text
        code = spec.replace("-", "<") + ("," if grouping else "")
        if conversion in "dxXoc" and isinstance(value, int) and not isinstance(value, bool):
            return chr(value) if conversion == "c" else format(value, code + conversion)
        if conversion in "feEgG" and isinstance(value, float | Decimal):
            return format(float(value), code + conversion)
        if conversion in "dxXocfeEgG":
            raise runtime_error(
                o, "java.util.IllegalFormatConversionException", f"{conversion} != {java_class_name(value)}"
            )
        return m.group(0)

    return _JAVA_FORMAT.sub(convert, fmt)


def _strip_tags(o: Options) -> Any:
    return re.sub(r"<[^>]*>", "", _text(o.context))


def _abbreviate(o: Options) -> Any:
    text = _text(o.context)
    width = _int(o.arg(1), 4)
    if width < 4:
        raise runtime_error(o, "java.lang.IllegalArgumentException", "Minimum abbreviation width is 4")
    if len(text) <= width:
        return text
    return text[: max(width - 3, 0)] + "..."


def _word_wrap(o: Options) -> Any:
    # WordUtils.wrap(text, width): break at the last space within width; long words stay whole.
    width = max(_int(o.arg(1), 80), 1)
    lines: list[str] = []
    for paragraph in _text(o.context).split("\n"):
        words = paragraph.split(" ")
        line = ""
        for word in words:
            if not line:
                line = word
            elif len(line) + 1 + len(word) <= width:
                line += " " + word
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return "\n".join(lines)


def _replace(o: Options) -> Any:
    return _text(o.context).replace(_text(o.arg(1)), _text(o.arg(2)))


def _yesno(o: Options) -> Any:
    value = o.context
    if value is True:
        return o.hash.get("yes", "yes")
    if value is False:
        return o.hash.get("no", "no")
    if value is not None:
        raise runtime_error(
            o, "java.lang.IllegalArgumentException", f"found '{_text(value)}', expected 'boolean'"
        )
    return o.hash.get("maybe", "maybe")


def _trim(o: Options) -> Any:
    if o.is_block:
        return o.fn().strip()
    return _text(o.context).strip()


def _url_encode(o: Options) -> Any:
    text = _text(o.context)  # even as a block: WireMock encodes the context, not the body
    if o.hash.get("decode") is True:
        return urllib.parse.unquote_plus(text)
    # URLEncoder.encode: space as '+', only [A-Za-z0-9.*_-] left alone.
    return urllib.parse.quote_plus(text, safe="*").replace("~", "%7E")


def _base64(o: Options) -> Any:
    text = o.fn() if o.is_block else _text(o.context)
    if o.hash.get("decode") is True:
        try:
            padded = text + "=" * (-len(text) % 4)
            return base64.b64decode(padded).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            return error("Illegal base64 character")
    encoded = base64.b64encode(text.encode()).decode()
    if o.hash.get("padding") is False:
        encoded = encoded.rstrip("=")
    return encoded


def _regex_extract(o: Options) -> Any:
    text = _text(o.context)
    pattern_text = _text(o.arg(1))
    try:
        pattern = compile_java_regex(pattern_text)
    except JavaRegexError:
        return error(f"Invalid regex string {pattern_text}")
    match = pattern.search(text)
    if len(o.args) < 3:
        if match is None:
            return o.hash["default"] if "default" in o.hash else error(f"Nothing matched {pattern_text}")
        return match.group(0)
    if match is None:
        return o.hash["default"] if "default" in o.hash else error(f"Nothing matched {pattern_text}")
    o.set_data(_text(o.args[2]), ListOrSingle(match.groups() or [match.group(0)]))
    return ""


def _as_list(value: Any) -> Any:
    """A value WireMock hands helpers as a java.util.List (3.x `request.path`): its items."""
    items = getattr(value, "template_items", None)
    listed = items() if callable(items) else None
    return value if listed is None else listed


def _size(o: Options) -> Any:
    value = o.context
    if value is None:
        raise runtime_error(
            o, "java.lang.NullPointerException", 'Cannot invoke "Object.getClass()" because "context" is null'
        )
    value = _as_list(value)
    if isinstance(value, str | Mapping | list | tuple):
        return len(value)
    size = getattr(value, "template_size", None)  # the root model is a two-entry map
    return size() if callable(size) else None


def _contains(o: Options) -> Any:
    haystack, needle = _as_list(o.context), o.arg(1)
    if isinstance(haystack, list | tuple):
        found = any(java_str(item) == _text(needle) for item in haystack)
    else:
        found = _text(needle) in _text(haystack) if haystack is not None and needle is not None else False
    if o.is_block:
        return o.fn() if found else ""
    return found


def _matches(o: Options) -> Any:
    if o.context is None or o.arg(1) is None:
        return False if not o.is_block else ""
    try:
        found = compile_java_regex(_text(o.arg(1))).fullmatch(_text(o.context)) is not None
    except JavaRegexError as exc:
        raise runtime_error(o, "java.util.regex.PatternSyntaxException", str(exc).split("\n")[0]) from None
    if o.is_block:
        return o.fn() if found else ""
    return found


# --- numberFormat: java.text.DecimalFormat in the patterns users write ---------------------------

_STYLES = {"integer": "#,##0", "percent": "#,##0%", "currency": "¤#,##0.00"}
_CURRENCY = {"en_US": "$", "en_GB": "£", "en_CA": "$", "en_AU": "$", "ja_JP": "¥"}


def _number_format(o: Options) -> Any:
    try:
        number = Decimal(java_str(o.context))
    except InvalidOperation:
        return None  # Handlebars.java prints nothing for a value that is not a number
    pattern = _text(o.arg(1)) if len(o.args) > 1 else "#,##0.###"
    pattern = _STYLES.get(pattern, pattern)
    # A locale argument only changes the currency sign here (the JVM's default locale is used
    # for separators, as WireMock runs with en/root separators).
    pattern = pattern.replace("¤", _CURRENCY.get(_text(o.arg(2)), "¤"))
    return format_decimal(number, pattern, o.hash)


def format_decimal(number: Decimal, pattern: str, overrides: Mapping[str, Any]) -> str:
    """Format like `new DecimalFormat(pattern)` (HALF_EVEN), with NumberFormat's hash overrides."""
    match = re.fullmatch(r"([^#0,.%‰]*)([#0,]*)(?:\.([#0]*))?([^#0,.]*)", pattern.split(";")[0])
    if match is None:
        return java_str(number)
    prefix, integer_part, fraction_part, suffix = match.groups()
    fraction_part = fraction_part or ""
    grouping = "," in integer_part
    group_size = len(integer_part) - integer_part.rfind(",") - 1 if grouping else 0
    min_int = integer_part.replace(",", "").count("0")
    min_frac = fraction_part.count("0")
    max_frac = len(fraction_part)
    if "maximumFractionDigits" in overrides:
        max_frac = _int(overrides["maximumFractionDigits"], max_frac)
        min_frac = min(min_frac, max_frac)
    if "minimumFractionDigits" in overrides:
        min_frac = _int(overrides["minimumFractionDigits"], min_frac)
        max_frac = max(max_frac, min_frac)
    if "minimumIntegerDigits" in overrides:
        min_int = _int(overrides["minimumIntegerDigits"], min_int)
    if overrides.get("groupingUsed") is False:
        grouping = False
    if "%" in prefix + suffix:
        number *= 100
    elif "‰" in prefix + suffix:
        number *= 1000
    quantum = Decimal(1).scaleb(-max_frac)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_EVEN)
    negative = number < 0  # DecimalFormat keeps the sign of a value that rounds to zero: "-0"
    digits = f"{abs(rounded):f}"
    whole, _, fraction = digits.partition(".")
    fraction = fraction.rstrip("0")
    fraction += "0" * (min_frac - len(fraction))
    whole = whole.lstrip("0")
    whole = "0" * (min_int - len(whole)) + whole
    if grouping and group_size > 0 and whole:
        groups: list[str] = []
        while len(whole) > group_size:
            groups.insert(0, whole[-group_size:])
            whole = whole[:-group_size]
        groups.insert(0, whole)
        whole = ",".join(groups)
    body = whole + ("." + fraction if fraction else "")
    if not body:
        body = "0"
    return ("-" if negative else "") + prefix.replace("'", "") + body + suffix.replace("'", "")


def jknack_string_helper(helper: Helper) -> Helper:
    """Handlebars.java's StringHelpers answer an empty context (null, "", false, 0, []) with their
    first parameter, or nothing: `{{substring '' 1}}` prints 1, `{{lower 0}}` prints nothing."""

    def wrapped(o: Options) -> Any:
        if is_empty(o.context):
            return o.arg(1)
        return helper(o)

    return wrapped


_JKNACK = {
    "upper": _upper,
    "lower": _lower,
    "capitalizeFirst": _capitalize_first,
    "capitalize": _capitalize,
    "center": _center,
    "ljust": _ljust,
    "rjust": _rjust,
    "cut": _cut,
    "defaultIfEmpty": _default_if_empty,
    "substring": _substring,
    "slugify": _slugify,
    "stringFormat": _string_format,
    "stripTags": _strip_tags,
    "abbreviate": _abbreviate,
    "wordWrap": _word_wrap,
    "replace": _replace,
}

HELPERS: dict[str, Helper] = {
    **{name: jknack_string_helper(helper) for name, helper in _JKNACK.items()},
    "join": _join,
    "yesno": _yesno,
    "numberFormat": _number_format,
    "trim": _trim,
    "urlEncode": _url_encode,
    "base64": _base64,
    "regexExtract": _regex_extract,
    "size": _size,
    "contains": _contains,
    "matches": _matches,
}
