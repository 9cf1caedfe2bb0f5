"""The keyword parameters of upstream's own `Responses.create`, read from the tree being patched.

Generated methods spell out every parameter. A custom method that forwards to
`create` (`create_and_poll`) must list the same ones, so the series takes them from
the generated non-streaming `create` overload at build time instead of keeping a copy
here: a regenerated SDK that adds a parameter adds it to the custom method too.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

RESOURCE = "src/openai/resources/responses/responses.py"
LEFT_OUT = frozenset({"background", "stream", "stream_options"})
"""`create_and_poll` always creates a background, non-streaming response."""
REQUEST_OPTIONS = frozenset({"extra_headers", "extra_query", "extra_body", "timeout"})
"""Written by the method itself, after its own parameters, as every generated method does."""


@dataclass(frozen=True)
class Parameter:
    name: str
    annotation: str
    default: str | None


def create_parameters(tree: Path) -> list[Parameter]:
    """The keyword parameters of `Responses.create`'s `stream: Literal[False]` overload, in order."""
    source = (tree / RESOURCE).read_text()
    module = ast.parse(source)
    responses = next(
        node for node in module.body if isinstance(node, ast.ClassDef) and node.name == "Responses"
    )
    for node in responses.body:
        if isinstance(node, ast.FunctionDef) and node.name == "create" and _streams_never(node, source):
            args = node.args
            defaults: list[ast.expr | None] = list(args.kw_defaults)
            return [
                Parameter(arg.arg, _segment(source, arg.annotation), _optional_segment(source, default))
                for arg, default in zip(args.kwonlyargs, defaults, strict=True)
                if arg.arg not in LEFT_OUT | REQUEST_OPTIONS
            ]
    raise SystemExit(f"no non-streaming `create` overload in {RESOURCE}; the generator's layout changed")


def _streams_never(node: ast.FunctionDef, source: str) -> bool:
    for arg in node.args.kwonlyargs:
        if arg.arg == "stream" and arg.annotation is not None:
            return "Literal[False]" in _segment(source, arg.annotation)
    return False


def _segment(source: str, node: ast.expr | None) -> str:
    text = ast.get_source_segment(source, node) if node is not None else None
    if text is None:
        raise SystemExit(f"cannot read a parameter of `create` in {RESOURCE}")
    return text


def _optional_segment(source: str, node: ast.expr | None) -> str | None:
    return None if node is None else _segment(source, node)


def expand(placeholder: str, parameters: list[Parameter]) -> list[str]:
    """The lines a `{{placeholder}}` stands for (see upstream/README.md)."""
    if placeholder == "create_params":
        return [
            f"{p.name}: {p.annotation}" + (f" = {p.default}" if p.default is not None else "") + ","
            for p in parameters
        ]
    if placeholder == "create_args":
        return [f"{p.name}={p.name}," for p in parameters]
    if placeholder == "create_names":
        return [", ".join(f"{p.name}=..." for p in parameters)]
    raise SystemExit(f"unknown placeholder {{{{{placeholder}}}}}")
