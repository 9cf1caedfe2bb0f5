from __future__ import annotations

import pytest

import openai
import openai._exceptions


@pytest.mark.parametrize(
    "name",
    [
        "BackgroundResponseError",
        "BackgroundResponseFailedError",
        "BackgroundResponseIncompleteError",
        "BackgroundResponseCancelledError",
    ],
)
def test_errors_are_exported_like_the_other_errors(name: str) -> None:
    cls = getattr(openai, name)
    assert name in openai.__all__
    assert cls.__module__ == "openai"
    assert cls is getattr(openai._exceptions, name)
