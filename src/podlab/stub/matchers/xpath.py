"""matchesXPath: an XPath 1.0 expression over an XML value, alone or with a sub-matcher.

Observed on WireMock 3.13.2:
- without `xPathNamespaces` the document is read namespace-unaware (`/a[b='x']` matches
  `<a xmlns="urn:d"><b>x</b></a>`); with them, prefixes bind to URIs as declared;
- alone, it matches a non-empty node set, and any non-node result (`count(/a/c)` = 0 and
  `/a/b = 'x'` = false both match);
- with a sub-matcher: the best-matching node wins; text and attribute nodes give their
  value, element nodes their indented XML plus a newline (`<b>x</b>\n`, so `equalTo "x"`
  does not match `/a/b` but does match `/a/b/text()`); no nodes never matches (not even
  `absent`); numbers print as XPath numbers (`2`, not `2.0`).
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from podlab.stub.matchers.base import MatchResult, StringValuePattern
from podlab.stub.matchers.xml_equal import XmlParseError, parse_xml

if TYPE_CHECKING:
    from lxml import etree


def _strip_namespaces(root: etree._Element) -> etree._Element:
    """A namespace-unaware view: every element and attribute by its local name."""
    from lxml import etree  # imported on first XML use: ~10 ms of start-up most servers never need

    for el in root.iter():
        if isinstance(el.tag, str):
            el.tag = etree.QName(el).localname
            for key in list(el.attrib):
                local = etree.QName(key).localname
                if local != key:
                    el.attrib[local] = el.attrib.pop(key)
    etree.cleanup_namespaces(root)
    return root


def node_text(node: Any) -> str:
    """An XPath result node as WireMock hands it to a sub-matcher."""
    from lxml import etree  # imported on first XML use: ~10 ms of start-up most servers never need

    if isinstance(node, etree._Element):
        # WireMock renders an element node as indented XML plus a newline: "<b>x</b>\n"
        copy = deepcopy(node)
        copy.tail = None
        return str(etree.tostring(copy, encoding="unicode", pretty_print=True))
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, float):
        return str(int(node)) if node.is_integer() else repr(node)
    return str(node)


@dataclass(frozen=True)
class MatchesXPath:
    expression: str
    namespaces: dict[str, str] | None = None
    sub: StringValuePattern | None = None
    # 2.35.1 asks for a NODESET: an expression with another result (`count(//b)`,
    # `boolean(//c)`) throws there and never matches, and a value not starting with `<` is
    # not read (seen on the 2.35.1 jar's near misses); 3.x takes any result
    node_sets_only: bool = field(default=False, compare=False, repr=False)
    name: str = field(default="matchesXPath", init=False)

    @property
    def expected(self) -> str:
        return self.expression

    def evaluate(self, value: str) -> list[Any] | None:
        """Result nodes (or a one-item list holding a scalar result); None if nothing usable."""
        from lxml import etree  # imported on first XML use: ~10 ms of start-up most servers never need

        if self.node_sets_only and not value.strip().startswith("<"):
            return None
        try:
            root = parse_xml(value)
        except XmlParseError:
            return None
        if not self.namespaces and "xmlns" in value:
            root = _strip_namespaces(root)
        try:
            result = root.getroottree().xpath(self.expression, namespaces=self.namespaces or {})
        except (etree.XPathError, TypeError, ValueError):
            return None
        if isinstance(result, list):
            return result
        return None if self.node_sets_only else [result]

    def match(self, value: str | None) -> MatchResult:
        if value is None or not value.strip():
            return MatchResult.no_match()
        nodes = self.evaluate(value)
        if not nodes:
            return MatchResult.no_match()
        if self.sub is None:
            return MatchResult.exact()
        sub = self.sub
        return min((sub.match(node_text(n)) for n in nodes), key=lambda r: r.distance)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "matchesXPath": self.expression
            if self.sub is None
            else {"expression": self.expression, **self.sub.to_json()}
        }
        if self.namespaces:
            out["xPathNamespaces"] = dict(self.namespaces)
        return out


_node_text = node_text  # earlier private name, still imported by podlab.stub.report.not_matched
