"""equalToXml: XMLUnit-style semantic XML comparison, as WireMock configures it.

Observed on WireMock 3.13.2: whitespace around text and whitespace-only text are ignored,
comments are ignored, namespace prefixes do not matter (URIs do), attribute order does not
matter but extra attributes do, children are paired by element name regardless of order
(so `<a><b/><c/></a>` equals `<a><c/><b/></a>`) and same-named children pair in order.
Placeholders (`enablePlaceholders`) as XMLUnit's: `${xmlunit.ignore}`, `${xmlunit.isNumber}`,
`${xmlunit.matchesRegex(re)}`, `${xmlunit.isDateTime}`, with configurable delimiters.
`exemptedComparisons` names XMLUnit ComparisonTypes whose differences are ignored.
Known gap: CDATA and plain text compare equal here (XMLUnit reports a node-type difference).
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from podlab.stub.matchers.base import MatchResult
from podlab.stub.matchers.java_regex import JavaRegexError, compile_java_regex

if TYPE_CHECKING:
    from lxml import etree

COMPARISON_TYPES = frozenset(
    [
        "ATTR_NAME_LOOKUP",
        "ATTR_VALUE",
        "ATTR_VALUE_EXPLICITLY_SPECIFIED",
        "CHILD_LOOKUP",
        "CHILD_NODELIST_LENGTH",
        "CHILD_NODELIST_SEQUENCE",
        "COMMENT_VALUE",
        "DOCTYPE_NAME",
        "DOCTYPE_PUBLIC_ID",
        "DOCTYPE_SYSTEM_ID",
        "ELEMENT_NUM_ATTRIBUTES",
        "ELEMENT_TAG_NAME",
        "HAS_DOCTYPE_DECLARATION",
        "NAMESPACE_PREFIX",
        "NAMESPACE_URI",
        "NODE_TYPE",
        "NO_NAMESPACE_SCHEMA_LOCATION",
        "PROCESSING_INSTRUCTION_DATA",
        "PROCESSING_INSTRUCTION_TARGET",
        "SCHEMA_LOCATION",
        "TEXT_VALUE",
        "XML_ENCODING",
        "XML_STANDALONE",
        "XML_VERSION",
    ]
)
NAMESPACE_AWARENESS = ("STRICT", "LEGACY", "NONE")


class XmlParseError(ValueError):
    pass


def parse_xml(text: str) -> etree._Element:
    """Parse without network, entities or comments (XXE-safe); XmlParseError if not XML."""
    from lxml import etree  # imported on first XML use: ~10 ms of start-up most servers never need

    # CDATA sections kept: XMLUnit tells them from text and WireMock prints them as sent.
    parser = etree.XMLParser(
        remove_comments=True,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        strip_cdata=False,
    )
    try:
        root = etree.fromstring(text.strip().encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise XmlParseError(str(exc)) from None
    if root is None:
        raise XmlParseError("Premature end of file.")
    return root


@dataclass(frozen=True)
class _Placeholders:
    pattern: re.Pattern[str]

    def check(self, expected: str, actual: str) -> bool | None:
        """True/False when `expected` is a placeholder, None when it is plain text."""
        m = self.pattern.fullmatch(expected.strip())
        if not m:
            return None
        keyword, arg = m.group(1), m.group(2)
        if keyword == "ignore":
            return True
        if keyword == "isNumber":
            try:
                float(actual.strip())
                return True
            except ValueError:
                return False
        if keyword == "matchesRegex":
            try:
                return compile_java_regex(arg or "").fullmatch(actual.strip()) is not None
            except JavaRegexError:
                return False
        if keyword == "isDateTime":
            try:
                datetime.fromisoformat(actual.strip())
                return True
            except ValueError:
                return False
        return False


@lru_cache(maxsize=64)
def placeholders(opening: str | None, closing: str | None) -> _Placeholders:
    """The placeholder recogniser for these delimiter regexes; re.error if they are invalid."""
    open_re = opening if opening is not None else r"\$\{"
    close_re = closing if closing is not None else r"\}"
    return _Placeholders(re.compile(f"(?:{open_re})xmlunit\\.(\\w+)(?:\\((.*)\\))?(?:{close_re})", re.DOTALL))


def _name(el: etree._Element, aware: bool) -> tuple[str, str]:
    from lxml import etree  # imported on first XML use: ~10 ms of start-up most servers never need

    q = etree.QName(el)
    return (q.namespace or "" if aware else "", q.localname)


def _texts(el: etree._Element) -> list[str]:
    pieces = [el.text or ""] + [child.tail or "" for child in el]
    return [p.strip() for p in pieces if p.strip()]


def _cdata_flags(el: etree._Element) -> list[bool]:
    """For each of `_texts(el)`, whether it was a CDATA section (lxml keeps them only in its
    serialisation: the element's text right after its start tag, a tail right after its
    element)."""
    from lxml import etree  # imported on first XML use (start-up time)

    flags = []
    if (el.text or "").strip():
        inner = etree.tostring(el, encoding="unicode", with_tail=False)
        flags.append(inner[inner.find(">") + 1 :].startswith("<![CDATA["))
    for child in el:
        if (child.tail or "").strip():
            alone = etree.tostring(child, encoding="unicode", with_tail=False)
            whole = etree.tostring(child, encoding="unicode", with_tail=True)
            flags.append(whole[len(alone) :].startswith("<![CDATA["))
    return flags


# How many XMLUnit comparisons each node costs, fitted to WireMock 3.13.2's near-miss distances
# (distance = differences / comparisons made): the document 2, an element pair 4, each expected
# attribute 3, each text node pair 3, an expected child with no partner 1.
_DOC_COMPARISONS = 2
_ELEMENT_COMPARISONS = 4
_ATTRIBUTE_COMPARISONS = 3
_TEXT_COMPARISONS = 3


@dataclass
class _Comparer:
    exempt: frozenset[str]
    placeholders: _Placeholders | None
    aware: bool
    ignore_order_of_same_node: bool
    cdata: bool = False  # either document holds a CDATA section: compare text node kinds
    differences: int = 0
    comparisons: int = _DOC_COMPARISONS

    def differ(self, comparison_type: str, count: int = 1) -> None:
        if comparison_type not in self.exempt:
            self.differences += count

    def element(self, expected: etree._Element, actual: etree._Element) -> None:
        self.comparisons += _ELEMENT_COMPARISONS
        e_ns, e_local = _name(expected, self.aware)
        a_ns, a_local = _name(actual, self.aware)
        if e_local != a_local:
            self.differ("ELEMENT_TAG_NAME")
        if e_ns != a_ns:
            self.differ("NAMESPACE_URI")
        self.attributes(expected, actual)
        self.text(expected, actual)
        self.children(expected, actual)

    def keyed(self, el: etree._Element) -> dict[tuple[str, str], str]:
        from lxml import etree  # imported on first XML use (start-up time)

        out = {}
        for k, v in el.attrib.items():
            q = etree.QName(k)
            out[(q.namespace or "" if self.aware else "", q.localname)] = v
        return out

    def attributes(self, expected: etree._Element, actual: etree._Element) -> None:
        exp, act = self.keyed(expected), self.keyed(actual)
        if len(exp) != len(act):
            self.differ("ELEMENT_NUM_ATTRIBUTES")
        for key, value in exp.items():
            if key not in act:
                # Observed on 3.13.2: a missing attribute costs one comparison, and attributes
                # only the actual element has add no difference beyond the count's
                # (`<a><b>1</b></a>` against `<a x="1" b="2"><b>1</b></a>`: 1/13; `<a y="1">…`
                # against it: 2/14).
                self.comparisons += 1
                self.differ("ATTR_NAME_LOOKUP")
                continue
            self.comparisons += _ATTRIBUTE_COMPARISONS
            if not self.same_text(value, act[key]):
                self.differ("ATTR_VALUE")

    def same_text(self, expected: str, actual: str) -> bool:
        if self.placeholders is not None:
            verdict = self.placeholders.check(expected, actual)
            if verdict is not None:
                return verdict
        return expected.strip() == actual.strip()

    def text(self, expected: etree._Element, actual: etree._Element) -> None:
        exp, act = _texts(expected), _texts(actual)
        self.comparisons += _TEXT_COMPARISONS * min(len(exp), len(act))
        if self.placeholders is not None and len(exp) == 1:
            verdict = self.placeholders.check(exp[0], act[0] if act else "")
            if verdict is not None:
                if not verdict:
                    self.differ("TEXT_VALUE")
                return
        self.differ("TEXT_VALUE", sum(1 for e, a in zip(exp, act, strict=False) if e != a))
        if self.cdata:
            # Observed on 3.13.2: `<a><b><![CDATA[1]]></b></a>` and `<a><b>1</b></a>` differ
            # either way round, by one difference in 13 comparisons (distance 1/13).
            kinds = zip(_cdata_flags(expected), _cdata_flags(actual), strict=False)
            self.differ("NODE_TYPE", sum(1 for e, a in kinds if e != a))
        if len(exp) != len(act):
            self.differ("CHILD_NODELIST_LENGTH")

    def children(self, expected: etree._Element, actual: etree._Element) -> None:
        exp = [c for c in expected if isinstance(c.tag, str)]
        act = [c for c in actual if isinstance(c.tag, str)]
        if len(exp) != len(act):
            self.differ("CHILD_NODELIST_LENGTH")
        by_name: dict[tuple[str, str], deque[int]] = {}
        for i, a in enumerate(act):
            by_name.setdefault(_name(a, self.aware), deque()).append(i)
        used: set[int] = set()
        pairs: list[tuple[etree._Element, int]] = []
        unpaired: list[etree._Element] = []
        for e in exp:
            # children pair by element name, same-named ones in document order
            same_name = by_name.get(_name(e, self.aware), deque())
            while same_name and same_name[0] in used:
                same_name.popleft()
            if not same_name:
                unpaired.append(e)
                continue
            pick = same_name[0]
            if self.ignore_order_of_same_node:
                pick = next((i for i in same_name if i not in used and self.equal(e, act[i])), pick)
            used.add(pick)
            pairs.append((e, pick))
        # XMLUnit then pairs what is left in document order, whatever the names
        leftovers = iter([i for i in range(len(act)) if i not in used])
        for e in unpaired:
            partner = next(leftovers, None)
            if partner is None:
                self.comparisons += 1
                self.differ("CHILD_LOOKUP")
            else:
                pairs.append((e, partner))
        for e, i in pairs:
            self.element(e, act[i])

    def equal(self, expected: etree._Element, actual: etree._Element) -> bool:
        probe = _Comparer(
            self.exempt, self.placeholders, self.aware, self.ignore_order_of_same_node, self.cdata
        )
        probe.element(expected, actual)
        return probe.differences == 0


@dataclass(frozen=True)
class EqualToXml:
    value: str
    root: etree._Element = field(compare=False, repr=False)
    enable_placeholders: bool | None = None
    placeholder_opening_delimiter_regex: str | None = None
    placeholder_closing_delimiter_regex: str | None = None
    exempted_comparisons: tuple[str, ...] | None = None
    ignore_order_of_same_node: bool | None = None
    namespace_awareness: str | None = None
    # WireMock 2.35.1: namespaces (prefixes and URIs) play no part, and attributes count only
    # from the expected side (as 3.13.2 counts them too, `_Comparer.attributes`); measured on the 2.35.1 jar:
    # `<ns:a xmlns:ns="urn:x"><ns:b>1</ns:b></ns:a>` matches `<a><b>1</b></a>`, `<a x="1"/>`
    # against `<a y="1"/>` is 1 difference in 7 comparisons
    compat2: bool = field(default=False, compare=False, repr=False)
    name: str = field(default="equalToXml", init=False)

    @property
    def expected(self) -> str:
        return self.value

    def match(self, value: str | None) -> MatchResult:
        if value is None or not value.strip():
            return MatchResult.no_match()
        try:
            actual = parse_xml(value)
        except XmlParseError:
            return MatchResult.no_match()
        comparer = _Comparer(
            exempt=frozenset(self.exempted_comparisons or ()),
            placeholders=(
                placeholders(
                    self.placeholder_opening_delimiter_regex, self.placeholder_closing_delimiter_regex
                )
                if self.enable_placeholders
                else None
            ),
            aware=self.namespace_awareness != "NONE" and not self.compat2,
            ignore_order_of_same_node=bool(self.ignore_order_of_same_node),
            # 2.35.1 compares CDATA as text (seen on its jar); 3.13.2 tells them apart
            cdata=not self.compat2 and ("<![CDATA[" in self.value or "<![CDATA[" in value),
        )
        comparer.element(self.root, actual)
        if comparer.differences == 0:
            return MatchResult.exact()
        return MatchResult.partial(comparer.differences / comparer.comparisons)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"equalToXml": self.value}
        optional: list[tuple[str, Any]] = [
            ("enablePlaceholders", self.enable_placeholders),
            ("placeholderOpeningDelimiterRegex", self.placeholder_opening_delimiter_regex),
            ("placeholderClosingDelimiterRegex", self.placeholder_closing_delimiter_regex),
            (
                "exemptedComparisons",
                list(self.exempted_comparisons) if self.exempted_comparisons is not None else None,
            ),
            ("ignoreOrderOfSameNode", self.ignore_order_of_same_node),
            ("namespaceAwareness", self.namespace_awareness),
        ]
        out.update((k, v) for k, v in optional if v is not None)
        return out
