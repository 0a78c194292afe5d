"""Render a parsed Handlebars tree the way Handlebars.java does inside WireMock.

Lookup rules (Handlebars.java's `Context`): a name is looked up in the current context, then in
each enclosing context, then among the render's data variables (what `assign`, `val assign=` and
`regexExtract` store). `{{name}}` calls a helper of that name before looking at the model.
Output is `toString()` with no HTML escaping: WireMock 3.13.2 writes `{{request.query.x}}` for
`x=<&"'` verbatim.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from podlab.stub.templating.limits import LIMIT_CLASS, RenderBudget
from podlab.stub.templating.parser import (
    Block,
    Call,
    Literal,
    Mustache,
    Node,
    Param,
    Partial,
    PathExpr,
    SubExpr,
    TemplateError,
    Text,
)
from podlab.stub.templating.values import ListOrSingle, is_empty, render_str

MISSING: Any = object()


class PropertySource:
    """Model objects that resolve their own properties (`request`, path parameters, ...)."""

    def template_get(self, key: str) -> Any:  # MISSING when there is no such property
        raise NotImplementedError


def get_property(value: Any, key: str) -> Any:
    """One path segment: map key, list index, or a model object's property; MISSING if none."""
    if value is None or value is MISSING:
        return MISSING
    if isinstance(value, PropertySource):
        return value.template_get(key)
    if isinstance(value, Mapping):
        return value.get(key, MISSING)
    if isinstance(value, list | tuple):
        if key.isdigit():
            index = int(key)
            return value[index] if index < len(value) else MISSING
        if isinstance(value, ListOrSingle):
            if key == "first":
                return value[0] if value else MISSING
            if key == "last":
                return value[-1] if value else MISSING
        if key in ("size", "length"):
            return len(value)
        return MISSING
    if isinstance(value, str) and key == "length":
        return len(value)
    return MISSING


@dataclass
class Frame:
    value: Any
    parent: Frame | None = None
    locals: dict[str, Any] = field(default_factory=dict)  # @index, @key, @first, ...
    block_params: dict[str, Any] = field(default_factory=dict)  # `as |item index|` names


@dataclass
class Options:
    """What a helper gets: Handlebars.java's `(context, Options)` folded into one object."""

    name: str
    args: list[Any]  # all positional parameters, evaluated (Handlebars.java's context + params)
    hash: dict[str, Any]
    frame: Frame
    renderer: Renderer
    program: Sequence[Node] | None  # None for a plain `{{helper}}` (not a block)
    inverse_program: Sequence[Node] | None
    line: int
    column: int
    block_params: tuple[str, ...] = ()

    @property
    def this(self) -> Any:
        return self.frame.value

    @property
    def context(self) -> Any:
        """The first parameter, or the current context when there is none."""
        return self.args[0] if self.args else self.frame.value

    @property
    def is_block(self) -> bool:
        return self.program is not None

    def arg(self, index: int, default: Any = None) -> Any:
        return self.args[index] if index < len(self.args) else default

    def fn(
        self,
        context: Any = MISSING,
        local_vars: dict[str, Any] | None = None,
        block_values: Sequence[Any] = (),
    ) -> str:
        """Render the block body; `block_values` bind to the `as |a b|` names in order."""
        if self.program is None:
            return ""
        self.spend_iterations(1)
        bound = dict(zip(self.block_params, block_values, strict=False))
        if context is MISSING and not local_vars and not bound:
            frame = self.frame
        else:
            value = self.frame.value if context is MISSING else context
            frame = Frame(value, self.frame, local_vars or {}, bound)
        return self.renderer.render_nodes(self.program, frame)

    def inverse(self, context: Any = MISSING) -> str:
        if self.inverse_program is None:
            return ""
        frame = self.frame if context is MISSING else Frame(context, self.frame)
        return self.renderer.render_nodes(self.inverse_program, frame)

    def set_data(self, name: str, value: Any) -> None:
        self.renderer.data[name] = value

    def spend_iterations(self, count: int) -> None:
        """Claim `count` loop turns or list items before making them (raises past the limit)."""
        self.renderer.check(self.renderer.budget.spend_iterations(count), self.line, self.column)

    def allow_items(self, count: int) -> None:
        """Check a list of `count` items may be built (raises past the iteration limit)."""
        self.renderer.check(self.renderer.budget.allows_items(count), self.line, self.column)

    def spend_output(self, chars: int) -> None:
        """Claim `chars` of output before building a string that long (raises past the limit)."""
        self.renderer.check(self.renderer.budget.spend_output(chars), self.line, self.column)


Helper = Callable[[Options], Any]

# Handlebars.java's EscapingStrategy.HTML_ENTITY (what WireMock 2.35.1 leaves on).
_HTML_ENTITIES = str.maketrans(
    {"<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "`": "&#x60;", "&": "&amp;", "=": "&#x3D;"}
)


def html_entities(text: str) -> str:
    return text.translate(_HTML_ENTITIES)


class Renderer:
    """One render: the helper table, the root model and the render's data variables."""

    def __init__(self, helpers: Mapping[str, Helper], root: Any, *, compat: int = 3) -> None:
        self.helpers = helpers
        self.root = root
        self.compat = compat  # helpers that behave differently in WireMock 2.35.1 look here
        # WireMock 3 configures Handlebars.java with EscapingStrategy.NOOP; 2.35.1 keeps its
        # default HTML_ENTITY escaping of every `{{…}}` value (helpers' results included).
        self.escape_html = compat == 2
        self.data: dict[str, Any] = {}
        self.budget = RenderBudget()

    def check(self, exceeded: str | None, line: int | None, column: int | None) -> None:
        if exceeded is not None:
            where = "" if line is None else f"{line}:{column}: "
            raise TemplateError(f"{where}{LIMIT_CLASS}: {exceeded}")

    def render(self, nodes: Sequence[Node]) -> str:
        return self.render_nodes(nodes, Frame(self.root))

    def render_nodes(self, nodes: Sequence[Node], frame: Frame) -> str:
        out: list[str] = []
        for node in nodes:
            # Leaves only: a block's text is the sum of its leaves, already counted.
            if isinstance(node, Text):
                out.append(node.value)
                self.check(self.budget.spend_output(len(node.value)), None, None)
            elif isinstance(node, Mustache):
                text = render_str(self.evaluate_call(node.call, frame, None, None))
                if self.escape_html and node.escaped:
                    text = html_entities(text)
                self.check(self.budget.spend_output(len(text)), node.call.line, node.call.column)
                out.append(text)
            elif isinstance(node, Block):
                out.append(self.render_block(node, frame))
            elif isinstance(node, Partial):
                raise TemplateError(
                    f"{node.line}:{node.column}: The partial '/{node.name}.hbs' at '/{node.name}.hbs' "
                    "could not be found"
                )
        return "".join(out)

    # --- calls ---------------------------------------------------------------------------------
    def helper_for(self, name: PathExpr) -> Helper | None:
        if name.data or name.this_prefixed or name.depth or len(name.parts) != 1:
            return None
        return self.helpers.get(name.parts[0])

    def evaluate_call(
        self,
        call: Call,
        frame: Frame,
        program: Sequence[Node] | None,
        inverse: Sequence[Node] | None,
        at: tuple[int, int] | None = None,
    ) -> Any:
        """`at`: where errors are reported. Handlebars.java reports a failure inside a
        subexpression at the tag that holds it (`{{#with (parseJson x)}}` fails at `with`)."""
        line, column = at or (call.line, call.column)
        helper = self.helper_for(call.name)
        if helper is None:
            value = self.resolve(call.name, frame)
            return None if value is MISSING else value
        options = Options(
            name=call.name.parts[0],
            args=[self.evaluate(p, frame, (line, column)) for p in call.params],
            hash={k: self.evaluate(v, frame, (line, column)) for k, v in call.hash},
            frame=frame,
            renderer=self,
            program=program,
            inverse_program=inverse,
            line=line,
            column=column,
            block_params=call.block_params,
        )
        try:
            return helper(options)
        except (TemplateError, RecursionError):
            raise
        except (ArithmeticError, LookupError, TypeError, ValueError, AttributeError) as exc:
            # Handlebars.java wraps whatever a helper throws with the tag's position; do the same
            # so a caller only ever sees TemplateError.
            raise TemplateError(f"{line}:{column}: {type(exc).__name__}: {exc}") from exc

    def evaluate(self, param: Param, frame: Frame, at: tuple[int, int] | None = None) -> Any:
        if isinstance(param, Literal):
            return param.value
        if isinstance(param, SubExpr):
            return self.evaluate_call(param.call, frame, None, None, at)
        # A bare name is always a value here, even a helper's name: `{{upper hostname}}` prints
        # nothing on WireMock 3.13.2; helpers in parameters need parentheses.
        value = self.resolve(param, frame)
        return None if value is MISSING else value

    def render_block(self, block: Block, frame: Frame) -> str:
        program: Sequence[Node] = block.program
        inverse: Sequence[Node] | None = block.inverse
        if block.inverted:
            program, inverse = inverse or [], program
        # `{{^name}}` never calls a helper in Handlebars.java: it tests the value named `name`.
        helper = None if block.inverted else self.helper_for(block.call.name)
        if helper is not None:
            return render_str(self.evaluate_call(block.call, frame, program, inverse))
        # A plain section (`{{#items}}...{{/items}}`): Mustache semantics.
        value = self.resolve(block.call.name, frame)
        value = None if value is MISSING else value
        if is_empty(value):
            return self.render_nodes(inverse, frame) if inverse else ""
        if isinstance(value, list | tuple):
            line, column = block.call.line, block.call.column
            self.check(self.budget.spend_iterations(len(value)), line, column)
            return "".join(
                self.render_nodes(program, Frame(item, frame, {"index": i})) for i, item in enumerate(value)
            )
        if value is True:
            return self.render_nodes(program, frame)
        return self.render_nodes(program, Frame(value, frame))

    # --- paths ---------------------------------------------------------------------------------
    def resolve(self, path: PathExpr, frame: Frame) -> Any:
        if path.data:
            return self.resolve_data(path, frame)
        start = frame
        for _ in range(path.depth):
            start = start.parent or start
        if not path.parts:
            return start.value
        first = path.parts[0]
        value = MISSING
        if not path.this_prefixed and not path.depth:
            value = _up_frames(start, lambda f: f.block_params.get(first, MISSING))
        if value is MISSING:
            value = get_property(start.value, first)
        if value is MISSING and not path.this_prefixed and not path.depth:
            value = _up_frames(start.parent, lambda f: get_property(f.value, first))
            if value is MISSING:
                value = self.data.get(first, MISSING)
        for part in path.parts[1:]:
            value = get_property(value, part)
        return value

    def resolve_data(self, path: PathExpr, frame: Frame) -> Any:
        if not path.parts:
            return MISSING
        first = path.parts[0]
        start: Frame = frame
        for _ in range(path.depth):  # `@../index`: the enclosing loop's data
            start = start.parent or start
        if first == "root":
            value: Any = self.root
        else:
            value = _up_frames(start, lambda f: f.locals.get(first, MISSING))
            if value is MISSING:
                value = self.data.get(first, MISSING)
        for part in path.parts[1:]:
            value = get_property(value, part)
        return value


def _up_frames(frame: Frame | None, lookup: Callable[[Frame], Any]) -> Any:
    """The first `lookup(f)` that is not MISSING, from `frame` up through its parents."""
    while frame is not None:
        value = lookup(frame)
        if value is not MISSING:
            return value
        frame = frame.parent
    return MISSING
