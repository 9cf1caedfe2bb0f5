"""Turn one module of `src/openai_background_errors/` into upstream source.

Mechanical only: pick the top-level definitions to port (and what they use),
rewrite this package's imports to upstream module paths, and, when appending to
`openai/_exceptions.py`, keep `openai.types` out of that module's import time
(annotation-only imports go under TYPE_CHECKING; a function that needs a type at
run time imports it locally). Formatting and import order are left to upstream's
own ruff afterwards.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import config

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Ported:
    """The result of porting one module."""

    port: config.Port
    text: str
    names: list[str]
    skipped: list[str]
    rewrites: list[str]
    header_imports: list[str] = field(default_factory=list[str])
    """For an append: imports the existing module must gain at its top."""
    checking_imports: list[str] = field(default_factory=list[str])
    """For an append: imports the existing module must gain under TYPE_CHECKING."""


def _defined(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _used(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            names.update(_WORD.findall(sub.value))
    return names


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _export_map(upstream: Path) -> dict[str, str]:
    """Name -> defining submodule for every name `openai/__init__.py` imports from a submodule."""
    tree = ast.parse((upstream / "src/openai/__init__.py").read_text())
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = f"openai.{node.module}"
    return found


class _Imports:
    """Imports of the ported code, rewritten to upstream paths, keyed by where they run."""

    def __init__(self, exports: dict[str, str], self_module: str) -> None:
        self.exports = exports
        self.self_module = self_module
        self.runtime: dict[str, list[str]] = {}
        self.checking: dict[str, list[str]] = {}
        self.bound: dict[str, tuple[str, str]] = {}
        """Local name -> (upstream module, imported name)."""

    def add(self, node: ast.Import | ast.ImportFrom, *, checking: bool) -> None:
        bucket = self.checking if checking else self.runtime
        if isinstance(node, ast.Import):
            for alias in node.names:
                bucket.setdefault("", []).append(
                    f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                )
                self.bound[alias.asname or alias.name.split(".")[0]] = ("", alias.name)
            return
        if node.module == "__future__":
            return
        for alias in node.names:
            module = self._module_of(node, alias.name)
            local = alias.asname or alias.name
            if module == self.self_module:
                continue
            self.bound[local] = (module, alias.name)
            bucket.setdefault(module, []).append(
                alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"
            )

    def _module_of(self, node: ast.ImportFrom, name: str) -> str:
        if node.level == 1:
            return config.MODULE_MAP[node.module or ""]
        if node.level:
            raise ValueError(f"unexpected relative import level {node.level} in {ast.unparse(node)}")
        if node.module == "openai":
            return self.exports.get(name, "openai")
        return node.module or ""

    def lines(self, used: set[str], *, checking: bool, relative_to: str | None) -> list[str]:
        bucket = self.checking if checking else self.runtime
        out: list[str] = []
        for module, items in bucket.items():
            if module == "":
                out += [line for line in items if line.split()[-1].split(".")[0] in used]
                continue
            names = [item for item in items if item.split(" as ")[-1] in used]
            if names:
                out.append(f"from {_relative(module, relative_to)} import {', '.join(names)}")
        return out


def _relative(module: str, relative_to: str | None) -> str:
    """`openai.types.x` seen from inside `openai._exceptions` is `.types.x` (upstream's own style there)."""
    if relative_to is not None and module.startswith("openai."):
        return "." + module[len("openai.") :]
    return module


def _segment(lines: list[str], node: ast.stmt) -> tuple[int, int]:
    start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    end = node.end_lineno or node.lineno
    # A bare string right after an assignment is its docstring.
    return start, end


def _local_imports(
    node: ast.stmt, runtime_types: dict[str, tuple[str, str]], relative_to: str | None
) -> dict[int, list[str]]:
    """Line (0-based) -> import lines to insert there, for functions that use a type at run time."""
    inserts: dict[int, list[str]] = {}
    for fn in ast.walk(node):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        needed: set[str] = set()
        for stmt in fn.body:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Load) and sub.id in runtime_types:
                    # Annotations of nested functions are runtime-free too; skip them.
                    needed.add(sub.id)
        if not needed:
            continue
        body = fn.body
        first = body[1] if len(body) > 1 and _is_docstring(body[0]) else body[0]
        indent = " " * first.col_offset
        lines: list[str] = []
        for name in sorted(needed):
            module, imported = runtime_types[name]
            alias = "" if imported == name else f" as {name}"
            lines.append(f"{indent}from {_relative(module, relative_to)} import {imported}{alias}")
        inserts.setdefault(first.lineno - 1, []).extend(lines)
    return inserts


def _is_docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _runtime_uses(tree: ast.Module, names: set[str]) -> set[str]:
    """The names among `names` used at run time somewhere in `tree` (anywhere but annotations)."""
    runtime: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_arg(self, node: ast.arg) -> None:  # annotations of parameters
            return

        def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
            if node.value is not None:
                self.visit(node.value)

        def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
            for stmt in node.body:
                self.visit(stmt)
            for deco in node.decorator_list:
                self.visit(deco)
            for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                self.visit(default)

        visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

        def visit_Name(self, node: ast.Name) -> None:
            if node.id in names:
                runtime.add(node.id)

    Visitor().visit(tree)
    return runtime


def _read(
    tree: ast.Module, imports: _Imports, module: str
) -> tuple[str | None, list[tuple[ast.stmt, list[str]]], list[str]]:
    """The module's docstring, its definitions (with the names each binds) and its `__all__`; imports go to `imports`."""
    docstring = ast.get_docstring(tree, clean=False) if tree.body and _is_docstring(tree.body[0]) else None
    defs: list[tuple[ast.stmt, list[str]]] = []
    all_names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.add(node, checking=False)
        elif isinstance(node, ast.If) and _is_type_checking(node):
            for sub in node.body:
                if isinstance(sub, (ast.Import, ast.ImportFrom)):
                    imports.add(sub, checking=True)
        elif _defined(node) == ["__all__"]:
            value = node.value if isinstance(node, ast.Assign) else None
            if isinstance(value, ast.List):
                all_names = [
                    e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
        elif _defined(node):
            defs.append((node, _defined(node)))
        elif not _is_docstring(node):
            raise ValueError(f"{module}: cannot port top-level statement {ast.unparse(node)[:60]!r}")
    return docstring, defs, all_names


def _closure(
    defs: list[tuple[ast.stmt, list[str]]], keep: tuple[str, ...] | None
) -> tuple[set[str], list[tuple[ast.stmt, list[str]]], list[str]]:
    """The names to port (`keep` and everything they use), their definitions, and the names left behind."""
    by_name = {name: node for node, names in defs for name in names}
    wanted = set(by_name) if keep is None else set(keep)
    frontier = list(wanted)
    while frontier:
        node = by_name[frontier.pop()]
        for name in _used(node) & by_name.keys():
            if name not in wanted:
                wanted.add(name)
                frontier.append(name)
    kept = [(node, names) for node, names in defs if set(names) & wanted]
    skipped = [name for _, names in defs for name in names if name not in wanted]
    return wanted, kept, skipped


def _rewritten(module: str) -> tuple[str, list[str]]:
    """The module's source with `config.REWRITES` applied, and the rewrites that applied."""
    source = (config.SRC / module).read_text()
    rewrites: list[str] = []
    for old, new in config.REWRITES.get(module, ()):
        if old in source:
            source = source.replace(old, new)
            rewrites.append(f"{old!r} -> {new!r}")
    return source, rewrites


def port(port_spec: config.Port, upstream: Path) -> Ported:
    source, rewrites = _rewritten(port_spec.module)
    tree = ast.parse(source)
    lines = source.splitlines()
    self_module = (
        port_spec.target.removeprefix("src/").removesuffix(".py").replace("/", ".").removesuffix(".__init__")
    )
    relative_to = self_module if port_spec.append else None
    imports = _Imports(_export_map(upstream), self_module)

    docstring, defs, all_names = _read(tree, imports, port_spec.module)
    wanted, kept, skipped = _closure(defs, port_spec.keep)
    if docstring is not None and skipped:
        # Paragraphs about what stays behind would describe code upstream does not have.
        paragraphs = docstring.split("\n\n")
        docstring = "\n\n".join(p for p in paragraphs if not any(re.search(rf"\b{n}\b", p) for n in skipped))

    used: set[str] = set()
    for node, _ in kept:
        used |= _used(node)

    # In _exceptions.py, `openai.types` may only be imported lazily.
    runtime_types: dict[str, tuple[str, str]] = {}
    if port_spec.append:
        type_names = {
            local
            for local, (module, _) in imports.bound.items()
            if module.startswith("openai.types") and local in used
        }
        module_ast = ast.Module(body=[n for n, _ in kept], type_ignores=[])
        for local in _runtime_uses(module_ast, type_names):
            runtime_types[local] = imports.bound[local]
        for module, items in list(imports.runtime.items()):
            if module.startswith("openai.types"):
                imports.checking.setdefault(module, []).extend(items)
                del imports.runtime[module]

    inserts: dict[int, list[str]] = {}
    for node, _ in kept:
        for line, extra in _local_imports(node, runtime_types, relative_to).items():
            inserts.setdefault(line, []).extend(extra)

    out: list[str] = []
    checking_lines = imports.lines(used, checking=True, relative_to=relative_to)
    if port_spec.append:
        if docstring:
            out += ["", ""] + [f"# {line}".rstrip() for line in docstring.strip("\n").splitlines()]
    else:
        if docstring is not None:
            closing = "\n" if "\n" in docstring.strip() else ""
            out.append(f'"""{docstring.rstrip()}{closing}"""')
        out += ["", "from __future__ import annotations", ""]
        out += imports.lines(
            used | ({"TYPE_CHECKING"} if checking_lines else set()), checking=False, relative_to=None
        )
        if checking_lines:
            out += ["", "if TYPE_CHECKING:"] + [f"    {line}" for line in checking_lines]
        public = [name for name in all_names if name in wanted] if all_names else []
        if public:
            out += ["", f"__all__ = {public!r}"]
    for node, _ in kept:
        start, end = _segment(lines, node)
        out += ["", ""]
        for number in range(start, end):
            out += inserts.get(number, [])
            out.append(lines[number])

    ported = Ported(port_spec, "\n".join(out).strip("\n") + "\n", sorted(wanted), sorted(skipped), rewrites)
    if port_spec.append:
        ported.header_imports = imports.lines(used, checking=False, relative_to=relative_to)
        ported.checking_imports = checking_lines
        public = [name for name in all_names if name in wanted]
        ported.text += f"\n\n__all__ += {public!r}\n"
    return ported
