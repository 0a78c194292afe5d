"""`xPath`, `soapXPath` and `formatXml`, evaluated with lxml.

WireMock parses namespace-unaware, so `/Envelope/Body` finds `soap:Envelope/soap:Body`; element
names are reduced to their local names before evaluating. A node result prints as indented XML
with a trailing newline; text, attribute and number results print as their values.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from podlab.stub.templating.engine import Helper, Options
from podlab.stub.templating.helpers_string import error
from podlab.stub.templating.values import ListOrSingle, java_str

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


def _text(value: Any) -> str:
    return "" if value is None else java_str(value)


def _parse(text: str) -> Any:
    root = etree.fromstring(text.strip().encode(), _PARSER)
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
        for name in list(element.attrib):
            if "}" in name:
                element.attrib[name.split("}", 1)[1]] = element.attrib.pop(name)
    etree.cleanup_namespaces(root)
    return root


def serialise(node: Any) -> str:
    """A node as WireMock prints it: indented by two spaces, newline-terminated, no declaration."""
    copy = etree.fromstring(etree.tostring(node), _PARSER)
    etree.indent(copy, space="  ")
    return str(etree.tostring(copy, encoding="unicode")).rstrip("\n") + "\n"


def _render(item: Any) -> Any:
    if isinstance(item, etree._Element):
        return serialise(item)
    return str(item)


def _evaluate(o: Options, document: Any, expression: str) -> Any:
    try:
        root = _parse(_text(document))
    except etree.XMLSyntaxError:
        return error(f"{_text(document)} is not valid XML")
    try:
        result = root.xpath(expression)
    except etree.XPathError:
        return error(f"{expression} is not a valid XPath expression")
    if isinstance(result, list):
        if not result:
            return o.hash.get("default", "")
        return ListOrSingle(_render(item) for item in result)
    if isinstance(result, bool):
        return result
    if isinstance(result, float):
        return int(result) if result.is_integer() else result
    return str(result)


def _xpath(o: Options) -> Any:
    if len(o.args) < 2:
        return error("The XPath expression cannot be empty")
    return _evaluate(o, o.args[0], _text(o.args[1]))


def _soap_xpath(o: Options) -> Any:
    if len(o.args) < 2:
        return error("The XPath expression cannot be empty")
    return _evaluate(o, o.args[0], "/Envelope/Body" + _text(o.args[1]))


def _format_xml(o: Options) -> Any:
    if not o.is_block and not isinstance(o.arg(0), str):
        return error("formatXml should take a block of XML to format or a single parameter of type String")
    text = o.fn() if o.is_block else _text(o.arg(0))
    try:
        root = etree.fromstring(text.strip().encode(), _PARSER)
    except etree.XMLSyntaxError:
        return error("Input is not valid XML")
    return serialise(root)


HELPERS: dict[str, Helper] = {"xPath": _xpath, "soapXPath": _soap_xpath, "formatXml": _format_xml}
