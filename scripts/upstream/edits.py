"""Apply a pull request's `*.edit` fragments: small insertions found by anchor lines at run time.

A fragment holds hunks. Each starts with a header line

    @@ <op> <path> | <anchor line> [| in: <scope line>] [| until: <line>] [| all]

where `op` is `after`, `before`, `replace` (the anchor line, or with `until:` the
lines from the anchor up to the next line matching `until`, that line kept) or
`append` (no anchor). Anchors and scopes match a whole line, compared without surrounding
whitespace; an anchor written `starts: <text>` matches the line that starts
with that text (for long generated lines); `in:` starts the search after the first line matching the scope;
`all` applies the hunk at every match (otherwise the anchor must match once).
The body is every line up to the next header; lines starting with `##` before
the first header are comments. A body line `{{name}}` (alone, indented) or a
`{{name}}` inside a line stands for what `signature.expand` gives for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import config, signature

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class EditError(Exception):
    pass


@dataclass
class Hunk:
    source: str
    op: str
    path: str
    anchor: str | None
    scope: str | None
    until: str | None
    every: bool
    body: list[str]


def parse(fragment: Path) -> list[Hunk]:
    hunks: list[Hunk] = []
    for number, line in enumerate(renamed(fragment.read_text()).splitlines(), 1):
        if line.startswith("@@ "):
            op, _, rest = line[3:].partition(" ")
            parts = [part.strip() for part in rest.split(" | ")]
            path, anchor = parts[0], None
            scope, until, every = None, None, False
            for part in parts[1:]:
                if part.startswith("in: "):
                    scope = part[4:].strip()
                elif part.startswith("until: "):
                    until = part[7:].strip()
                elif part == "all":
                    every = True
                else:
                    anchor = part
            if (
                op not in ("after", "before", "replace", "append")
                or (anchor is None) != (op == "append")
                or (until is not None and (op != "replace" or every))
            ):
                raise EditError(f"{fragment.name}:{number}: bad hunk header {line!r}")
            hunks.append(Hunk(f"{fragment.name}:{number}", op, path, anchor, scope, until, every, []))
        elif hunks:
            hunks[-1].body.append(line)
        elif line.strip() and not line.startswith("##"):
            raise EditError(f"{fragment.name}:{number}: text before the first hunk header")
    for hunk in hunks:
        while hunk.body and not hunk.body[-1].strip() and hunk.op != "before":
            hunk.body.pop()
    return hunks


def renamed(text: str) -> str:
    """`text` with the series' class names as `--names` chose them."""
    for ours, theirs in config.BASE.renames.items():
        text = re.sub(rf"\b{ours}\b", theirs, text)
    return text


def _expand(body: list[str], tree: Path) -> list[str]:
    if not any(_PLACEHOLDER.search(line) for line in body):
        return body
    parameters = signature.create_parameters(tree)
    expanded: list[str] = []
    for line in body:
        whole = _PLACEHOLDER.fullmatch(line.strip())
        if whole:
            indent = line[: len(line) - len(line.lstrip())]
            expanded += [indent + text for text in signature.expand(whole[1], parameters)]
        else:
            expanded.append(_PLACEHOLDER.sub(lambda m: "".join(signature.expand(m[1], parameters)), line))
    return expanded


def apply(hunk: Hunk, tree: Path) -> int:
    """Apply one hunk to the file under `tree`; return how many places it changed."""
    target = tree / hunk.path
    if not target.exists():
        raise EditError(f"{hunk.source}: {hunk.path} does not exist upstream")
    lines = target.read_text().splitlines()
    body = _expand(hunk.body, tree)
    if hunk.op == "append":
        lines += body
        target.write_text("\n".join(lines) + "\n")
        return 1
    start = 0
    if hunk.scope is not None:
        found = [i for i, line in enumerate(lines) if line.strip() == hunk.scope]
        if not found:
            raise EditError(f"{hunk.source}: scope line {hunk.scope!r} not found in {hunk.path}")
        start = found[0] + 1
    anchor = hunk.anchor or ""
    if anchor.startswith("starts: "):
        prefix = anchor.removeprefix("starts: ")
        matches = [i for i in range(start, len(lines)) if lines[i].strip().startswith(prefix)]
    else:
        matches = [i for i in range(start, len(lines)) if lines[i].strip() == anchor]
    if not matches:
        raise EditError(f"{hunk.source}: anchor {hunk.anchor!r} not found in {hunk.path}")
    if not hunk.every:
        if hunk.scope is None and len(matches) > 1:
            raise EditError(
                f"{hunk.source}: anchor {hunk.anchor!r} matches {len(matches)} lines; add `in:` or `all`"
            )
        matches = matches[:1]
    for i in reversed(matches):
        if hunk.op == "after":
            lines[i + 1 : i + 1] = body
        elif hunk.op == "before":
            lines[i:i] = body
        elif hunk.until is None:
            lines[i : i + 1] = body
        else:
            end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == hunk.until), None)
            if end is None:
                raise EditError(f"{hunk.source}: no line {hunk.until!r} after the anchor in {hunk.path}")
            lines[i:end] = body
    target.write_text("\n".join(lines) + "\n")
    return len(matches)


def apply_all(fragments: Path, tree: Path, suffix: str) -> list[str]:
    """Apply every `*.<suffix>` fragment in `fragments`, in name order; return the paths touched."""
    touched: list[str] = []
    for fragment in sorted(fragments.glob(f"*.{suffix}")):
        for hunk in parse(fragment):
            apply(hunk, tree)
            if hunk.path not in touched:
                touched.append(hunk.path)
    return touched
