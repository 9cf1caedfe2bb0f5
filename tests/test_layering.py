"""On an `openai` that defines the family's base classes (the fork), this package's subclass them.

On every lane the fork is stood in for by tests/fork_stub.py, run in a process of its own;
the `fork` lane (nox -s fork, the wheel `scripts/upstream-patch --fork` builds) installs the
real one, where the installed openai's own classes and `raise_for_status` are checked too.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import openai
import pytest
from openai import OpenAIError
from openai.types.responses.response_error import ResponseError

import openai_background_errors as obe

from .conftest import parsed_response

ROOT = Path(__file__).resolve().parent.parent


def _run_on_the_stub() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "tests.fork_stub"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, Any] = json.loads(done.stdout)
    return seen


ON_THE_FORK = hasattr(openai, "BackgroundResponseError")
STATUS_BASES = (
    "BackgroundResponseFailedError",
    "BackgroundResponseIncompleteError",
    "BackgroundResponseCancelledError",
)


@pytest.mark.skipif(ON_THE_FORK, reason=f"openai {openai.__version__} defines the family (the fork)")
def test_on_a_stock_openai_the_bases_are_openais_error() -> None:
    assert obe.BackgroundResponseError.__mro__[1:] == (
        OpenAIError,
        RuntimeError,
        Exception,
        BaseException,
        object,
    )


@pytest.mark.skipif(
    not ON_THE_FORK, reason=f"openai {openai.__version__} is stock; `nox -s fork` installs the fork"
)
def test_on_the_installed_fork_the_package_classes_subclass_openais() -> None:
    family: Any = openai  # the fork's names, which a type checker of the stock SDK does not know
    assert obe.BackgroundResponseError.__mro__[1] is family.BackgroundResponseError
    for name in STATUS_BASES:
        assert issubclass(getattr(obe, name), getattr(family, name))

    for payload, base in zip(
        ("failed_server_error", "incomplete_max_output_tokens", "cancelled"), STATUS_BASES, strict=True
    ):
        response = parsed_response(payload)
        error = obe.error_for(response)
        assert error is not None
        with pytest.raises(getattr(family, base)) as caught:
            raise error  # what this package raises, caught by openai's own class
        assert caught.value is error
        # openai's own opt-in agrees with the package on the run's identity and retryability.
        with pytest.raises(getattr(family, base)) as upstream:
            importlib.import_module("openai.lib").raise_for_status(response, incomplete=True, cancelled=True)
        assert (upstream.value.response_id, upstream.value.code, upstream.value.retryable) == (
            error.response_id,
            error.code,
            error.retryable,
        ), payload


@pytest.mark.skipif(
    not ON_THE_FORK, reason=f"openai {openai.__version__} is stock; `nox -s fork` installs the fork"
)
def test_on_the_installed_fork_every_class_it_defines_is_a_base_and_every_code_is_classified_alike() -> None:
    family: Any = openai
    defined = {
        name: cls
        for name, cls in list(vars(openai).items())
        if isinstance(cls, type) and issubclass(cls, family.BackgroundResponseError)
    }
    assert "BackgroundResponseError" in defined
    for name, cls in defined.items():
        assert issubclass(getattr(obe, name), cls), name

    # Every code the SDK declares, one the package classifies that it does not, and an unknown one.
    declared = set(get_args(ResponseError.__annotations__["code"]))
    for code in sorted(declared | {"insufficient_quota", "a_code_nobody_declared"}):
        response = parsed_response("failed_server_error", error={"code": code, "message": "m"})
        error = obe.error_for(response)
        assert error is not None, code
        with pytest.raises(family.BackgroundResponseError) as upstream:
            importlib.import_module("openai.lib").raise_for_status(response)
        assert isinstance(error, type(upstream.value)), code
        assert (error.code, error.retryable) == (upstream.value.code, upstream.value.retryable), code


def test_on_the_fork_the_package_classes_subclass_openais() -> None:
    seen = _run_on_the_stub()
    mro = seen["mro"]
    assert mro["BackgroundResponseError"][:3] == [
        "openai_background_errors.errors.BackgroundResponseError",
        "openai.BackgroundResponseError",
        "openai.OpenAIError",
    ]
    assert "builtins.RuntimeError" in mro["BackgroundResponseError"]
    # The package's classes come first: its constructor, messages and pickling govern.
    assert mro["BackgroundServerError"][:4] == [
        "openai_background_errors.errors.BackgroundServerError",
        "openai_background_errors.errors.BackgroundResponseFailedError",
        "openai_background_errors.errors.BackgroundResponseError",
        "openai.BackgroundResponseFailedError",
    ]
    for name, status_base in (
        ("BackgroundImageContentPolicyError", "openai.BackgroundResponseFailedError"),
        ("BackgroundContentFilterError", "openai.BackgroundResponseIncompleteError"),
        ("BackgroundResponseCancelledError", "openai.BackgroundResponseCancelledError"),
    ):
        assert status_base in mro[name]
        assert mro[name].index(status_base) > mro[name].index(
            "openai_background_errors.errors.BackgroundResponseError"
        )

    # `except openai.<base>` catches what the package raises, and so does the package's own.
    expected_kinds = {
        "failed_server_error": "BackgroundResponseFailedError",
        "failed_unknown_future_code": "BackgroundResponseFailedError",
        "incomplete_max_output_tokens": "BackgroundResponseIncompleteError",
        "cancelled": "BackgroundResponseCancelledError",
    }
    caught = seen["caught"]
    assert sorted(caught) == sorted(expected_kinds)
    for payload, kind in expected_kinds.items():
        assert caught[payload]["by_openai"] == ["BackgroundResponseError", kind], payload
        assert caught[payload]["by_package"] == ["BackgroundResponseError", kind], payload


def test_on_the_fork_the_package_builds_and_carries_its_errors() -> None:
    seen = _run_on_the_stub()
    # openai's constructor (which needs a response) is never called: the package's sets every field.
    assert seen["openai_constructor_calls"] == 0
    assert seen["without_response"] == {
        "class": "BackgroundResponseFailedError",
        "code": "server_error",
        "message": "boom",
        "param": None,
        "request_id": None,
        "response_id": None,
        "status": "failed",
        "retryable": False,
        "str": "server_error: boom (response <unknown id> failed)",
    }
    server_error = seen["caught"]["failed_server_error"]
    assert server_error["fields"] == {
        "class": "BackgroundServerError",
        "code": "server_error",
        "message": "The server had an error while processing your request. Submit the request again.",
        "param": None,
        "request_id": None,
        "response_id": "resp_bg_failed_server_error_0001",
        "status": "failed",
        "retryable": True,
        "str": "server_error: The server had an error while processing your request. Submit the request again. (background response resp_bg_failed_server_error_0001 failed)",
    }
    for found in seen["caught"].values():
        # pickle, copy and the task queues' JSON round trip keep class and fields there too.
        assert found["pickled"] == found["copied"] == found["json"] == found["fields"]
