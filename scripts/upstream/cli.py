"""`scripts/upstream-patch`: the upstream pull request and the fork's wheel, generated from this repository."""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from . import checks, config, env, tree, wheel
from .run import LOG, run, say

COMMIT_BODY = """\
A background response that fails is answered with HTTP 200, so nothing raises.
Add a typed exception family beside the SDK's own (`BackgroundResponseError`,
classified by `error.code`, also a `RuntimeError`), the opt-in
`openai.lib.raise_for_status(response)`, `responses.poll()` /
`responses.create_and_poll()` that raise it, and make the Responses stream
helper raise it. `retrieve()` is unchanged.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/upstream-patch", description=__doc__)
    parser.add_argument("--check", action="store_true", help="prove the patch on upstream's tests and lint")
    parser.add_argument("--wheel", action="store_true", help="build the fork's wheel and smoke-test it")
    parser.add_argument("--fresh-baseline", action="store_true", help="ignore the cached pristine results")
    parser.add_argument(
        "--if-available",
        action="store_true",
        help="when the upstream sdist cannot be downloaded, say so plainly and exit 0 (for CI)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    config.WORK.mkdir(parents=True, exist_ok=True)
    LOG.write_text("")

    say(f"upstream openai {config.UPSTREAM_VERSION}: pristine base")
    if args.if_available:
        try:
            tree.sdist()
        except SystemExit as exc:
            print(
                f"upstream: SKIPPED, the openai {config.UPSTREAM_VERSION} sdist cannot be downloaded here: {exc}"
            )
            return 0
    pristine = tree.pristine()
    checked = tree.verify_inventory(pristine)
    say(f"base pristine: {checked} generated files match their sha256")

    before = _before_tree()
    say("laying this repository into the upstream tree")
    patched = tree.fresh_copy("patched")
    done = tree.lay_in(patched, env.tool(before, "ruff"))
    tree.commit(patched, f"{config.COMMIT_SUBJECT}\n\n{COMMIT_BODY}")
    patch, format_patch = _write_patches(patched)
    custom, per_file, inventory_untouched = tree.custom_lines(patched)
    summary: dict[str, Any] = {
        "upstream": config.UPSTREAM_VERSION,
        "generated_files_checked": checked,
        **done,
        "patch": str(patch.relative_to(config.ROOT)),
        "format_patch": str(format_patch.relative_to(config.ROOT)),
        "patch_lines": len(patch.read_text().splitlines()),
        "diffstat": tree.diff_stat(patched),
        "custom_lines": custom,
        "custom_lines_per_file": per_file,
        "inventory_untouched": inventory_untouched,
    }
    say(f"patch written: {patch} ({summary['patch_lines']} lines); custom lines in generated files: {custom}")

    after = None
    if args.check or args.wheel:
        after = tree.fresh_copy("after")
        applied = run(["git", "apply", "--check", str(patch)], cwd=after, check=False).returncode == 0
        summary["applied"] = applied
        if not applied:
            return _finish(summary, started, "patch does not apply")
        run(["git", "apply", str(patch)], cwd=after, what="apply the patch")
        say("uv sync in the patched tree")
        env.sync(after)

    ok = True
    if args.check:
        assert after is not None
        ok = _check(summary, before, after, args.fresh_baseline)
    if args.check or args.wheel:
        assert after is not None
        say("building the fork's wheel and smoke-testing it in a fresh venv")
        built = wheel.build(after)
        smoke_ok, smoke_out = wheel.smoke(built)
        summary.update(
            wheel=str(built.relative_to(config.ROOT)), wheel_ok=smoke_ok, smoke=smoke_out.splitlines()
        )
        ok = ok and smoke_ok
    return _finish(summary, started, None if ok else "checks failed")


def _before_tree() -> Path:
    """The pristine tree with upstream's environment (kept between runs; its lint tools also format the port)."""
    before = config.WORK / "before"
    if not (before / ".venv" / "bin" / "ruff").exists():
        say("uv sync in the pristine tree")
        before = tree.fresh_copy("before")
        env.sync(before)
    return before


def _write_patches(patched: Path) -> tuple[Path, Path]:
    config.DIST.mkdir(parents=True, exist_ok=True)
    patch = config.DIST / config.PATCH_NAME
    patch.write_text(tree.git(patched, "diff", "--binary", "HEAD~1", "HEAD"))
    for old in config.DIST.glob("0001-*.patch"):
        old.unlink()
    name = tree.git(patched, "format-patch", "-1", "HEAD", "-o", str(config.DIST)).strip()
    return patch, Path(name)


def _baseline(before: Path, fresh: bool) -> dict[str, Any]:
    """Upstream's own results on the pristine tree, cached per release, sdist and Python."""
    key = {
        "upstream": config.UPSTREAM_VERSION,
        "sdist_sha256": hashlib.sha256(tree.sdist().read_bytes()).hexdigest(),
        "python_version": sys.version.split()[0],
    }
    cache = config.WORK / "baseline.json"
    if cache.exists() and not fresh:
        cached = json.loads(cache.read_text())
        if cached.get("key") == key:
            say("pristine baseline: cached")
            return cached
    say("pristine baseline: running upstream's offline tests and ty (slow once)")
    result = checks.tests(before, config.WORK / "junit-before.xml")
    baseline = {
        "key": key,
        "passed": result.passed,
        "failed": result.failed,
        "ty": checks.ty_diagnostics(before),
        "ruff_clean": checks.ruff(before)[0],
    }
    cache.write_text(json.dumps(baseline, indent=1))
    return baseline


def _check(summary: dict[str, Any], before: Path, after: Path, fresh: bool) -> bool:
    baseline = _baseline(before, fresh)
    say("patched tree: running upstream's offline tests")
    result = checks.tests(after, config.WORK / "junit-after.xml")
    passed_before = set(baseline["passed"])
    failing_now = sorted(passed_before & set(result.failed))
    newly_failing = checks.still_failing(after, failing_now)
    flaky = [test_id for test_id in failing_now if test_id not in newly_failing]
    ported_file = "tests.lib.responses.test_background_errors"
    ported_pass = [t for t in result.passed if t.startswith(ported_file)]
    ported_fail = [t for t in result.failed if t.startswith(ported_file)]
    say("patched tree: ruff check ., ty check, import openai")
    ruff_ok, ruff_out = checks.ruff(after)
    ty_after = checks.ty_diagnostics(after)
    remaining = list(baseline["ty"])
    new_ty: list[str] = []
    for diagnostic in ty_after:
        if diagnostic in remaining:
            remaining.remove(diagnostic)
        else:
            new_ty.append(diagnostic)
    import_ok = checks.imports(after)
    summary.update(
        tests_before=f"{len(baseline['passed'])}/{len(baseline['failed'])}",
        tests_after=result.figure(),
        failing_before=baseline["failed"],
        newly_failing=newly_failing,
        flaky_passed_on_rerun=flaky,
        ported_passed=len(ported_pass),
        ported_failed=ported_fail,
        ruff_clean=ruff_ok,
        ruff_output=ruff_out.splitlines()[-40:] if not ruff_ok else [],
        ty_new=new_ty,
        import_ok=import_ok,
    )
    lint_ok = ruff_ok and not new_ty and import_ok
    return (
        not newly_failing
        and bool(ported_pass)
        and not ported_fail
        and lint_ok
        and int(summary["custom_lines"]) < config.CUSTOM_LINE_LIMIT
        and bool(summary["inventory_untouched"])
    )


def _finish(summary: dict[str, Any], started: float, problem: str | None) -> int:
    seconds = round(time.monotonic() - started)
    summary["seconds"] = seconds
    summary["problem"] = problem
    line = _last_line(summary)
    summary["last_line"] = line
    (config.DIST / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
    shutil.copyfile(LOG, config.DIST / "upstream-patch.log")
    print(
        json.dumps(
            {k: v for k, v in summary.items() if k not in ("smoke", "failing_before")}, indent=1, default=str
        )
    )
    if problem:
        print(f"upstream-patch: {problem} (details in dist/upstream/summary.json and upstream-patch.log)")
    print(line)
    return 1 if problem else 0


def _last_line(s: dict[str, Any]) -> str:
    def get(key: str, default: str = "n/a") -> str:
        return str(s[key]) if key in s else default

    missing: list[str] = s.get("missing") or []
    ported = sum(1 for _ in s.get("ported", []))
    parts = [
        f"applied={'yes' if s.get('applied') else 'no' if 'applied' in s else 'n/a'}",
        "base=pristine",
        f"tests_before={get('tests_before')}",
        f"tests_after={get('tests_after')}",
        f"newly_failing={len(s['newly_failing']) if 'newly_failing' in s else 'n/a'}",
        f"ported={get('ported_passed')}",
        f"lint={_lint(s)}",
        f"custom_lines={get('custom_lines')}",
        f"wheel={'ok' if s.get('wheel_ok') else 'FAILED' if 'wheel_ok' in s else 'n/a'}",
        f"flaky={len(s.get('flaky_passed_on_rerun', []))}",
        f"modules={ported}/{ported + len(missing)}",
        f"time={s['seconds']}s",
    ]
    return "upstream: " + " ".join(parts)


def _lint(s: dict[str, Any]) -> str:
    if "ruff_clean" not in s:
        return "n/a"
    problems: list[str] = []
    if not s["ruff_clean"]:
        problems.append("ruff")
    if s["ty_new"]:
        problems.append(f"ty+{len(s['ty_new'])}")
    if not s["import_ok"]:
        problems.append("import")
    return "clean" if not problems else "FAILED(" + ",".join(problems) + ")"
