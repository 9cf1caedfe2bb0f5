"""The clients' constructors and `copy()` / `with_options()` take every keyword of the installed SDK's, typed.

The static side (a misspelled keyword is a type error) is `tests/type_checks/copy_keywords.py`,
checked by `scripts/lint`; this file checks the declarations it rests on against the SDK
that is installed, so a new SDK keyword missing from them fails here.
"""

from __future__ import annotations

import inspect
import sys
import typing
from typing import Any

import openai
import pytest

import openai_background_errors as obe
from openai_background_errors import _copy_options

from .lanes import OPENAI_VERSION

OWN_KEYWORDS = [
    "raise_on",
    "error_registry",
    "max_stream_resumes",
    "wait_for_background",
    "cancel_abandoned_streams",
]
CLIENTS = [
    (obe.OpenAI, openai.OpenAI, _copy_options.SyncCopyOptions),
    (obe.AsyncOpenAI, openai.AsyncOpenAI, _copy_options.AsyncCopyOptions),
    (obe.AzureOpenAI, openai.AzureOpenAI, _copy_options.AzureCopyOptions),
    (obe.AsyncAzureOpenAI, openai.AsyncAzureOpenAI, _copy_options.AsyncAzureCopyOptions),
]
CONSTRUCTORS = [
    (obe.OpenAI, openai.OpenAI, _copy_options.SyncInitOptions),
    (obe.AsyncOpenAI, openai.AsyncOpenAI, _copy_options.AsyncInitOptions),
    (obe.AzureOpenAI, openai.AzureOpenAI, _copy_options.AzureInitOptions),
    (obe.AsyncAzureOpenAI, openai.AsyncAzureOpenAI, _copy_options.AsyncAzureInitOptions),
]
TYPED_FOR = (3, 57)
"""The SDK release `_copy_options` spells the types of (older ones take a subset of its keywords)."""


def _stock_keywords(stock: type[Any], method: str = "copy") -> dict[str, inspect.Parameter]:
    parameters = list(inspect.signature(getattr(stock, method)).parameters.values())[1:]
    assert all(parameter.kind is inspect.Parameter.KEYWORD_ONLY for parameter in parameters)
    return {parameter.name: parameter for parameter in parameters}


def _declared(options: type[Any]) -> frozenset[str]:
    return frozenset(options.__required_keys__ | options.__optional_keys__)


@pytest.mark.parametrize(
    ("ours", "stock", "options"), CLIENTS, ids=lambda value: getattr(value, "__name__", "")
)
def test_every_stock_keyword_is_declared(ours: type[Any], stock: type[Any], options: type[Any]) -> None:
    missing = _stock_keywords(stock).keys() - _declared(options)
    assert missing == set(), (
        f"{stock.__qualname__}.copy() takes {sorted(missing)}; declare them in _copy_options"
    )
    assert _declared(options).isdisjoint(OWN_KEYWORDS)


@pytest.mark.skipif(OPENAI_VERSION < TYPED_FOR, reason=f"the types are spelled for openai >= {TYPED_FOR}")
@pytest.mark.parametrize(
    ("ours", "stock", "options"), CLIENTS, ids=lambda value: getattr(value, "__name__", "")
)
def test_every_declared_keyword_has_the_stock_type(
    ours: type[Any], stock: type[Any], options: type[Any]
) -> None:
    # Resolved in the namespace of the SDK module that defines `stock.copy`, where its own
    # annotations resolve: the same names the declarations import for the type checkers.
    namespace = vars(sys.modules[stock.copy.__module__])
    declared = typing.get_type_hints(options, localns=dict(namespace))
    for name, hint in typing.get_type_hints(stock.copy).items():
        if name != "return":
            assert declared[name] == hint, name


@pytest.mark.parametrize(
    ("ours", "stock", "options"), CLIENTS, ids=lambda value: getattr(value, "__name__", "")
)
def test_introspection_shows_the_stock_keywords_and_ours(
    ours: type[Any], stock: type[Any], options: type[Any]
) -> None:
    stock_keywords = _stock_keywords(stock)
    for method in (ours.copy, ours.with_options):
        parameters = inspect.signature(method).parameters
        assert list(parameters)[1:] == [*OWN_KEYWORDS, *stock_keywords]
        assert all(parameters[name].default is stock_keywords[name].default for name in stock_keywords)
        hints = typing.get_type_hints(method)
        assert {name: hints[name] for name in stock_keywords} == {
            name: hint for name, hint in typing.get_type_hints(stock.copy).items() if name != "return"
        }
    if OPENAI_VERSION >= TYPED_FOR:  # what upstream's own test asks of the stock clients
        from openai.auth import X509WorkloadIdentity

        assert X509WorkloadIdentity in typing.get_args(
            typing.get_type_hints(ours.with_options)["workload_identity"]
        )


@pytest.mark.parametrize(
    ("ours", "stock", "options"), CONSTRUCTORS, ids=lambda value: getattr(value, "__name__", "")
)
def test_every_stock_constructor_keyword_is_declared(
    ours: type[Any], stock: type[Any], options: type[Any]
) -> None:
    missing = _stock_keywords(stock, "__init__").keys() - _declared(options)
    assert missing == set(), f"{stock.__qualname__}() takes {sorted(missing)}; declare them in _copy_options"
    assert _declared(options).isdisjoint(OWN_KEYWORDS)


@pytest.mark.skipif(OPENAI_VERSION < TYPED_FOR, reason=f"the types are spelled for openai >= {TYPED_FOR}")
@pytest.mark.parametrize(
    ("ours", "stock", "options"), CONSTRUCTORS, ids=lambda value: getattr(value, "__name__", "")
)
def test_every_declared_constructor_keyword_has_the_stock_type(
    ours: type[Any], stock: type[Any], options: type[Any]
) -> None:
    namespace = vars(sys.modules[stock.__init__.__module__])
    declared = typing.get_type_hints(options, localns=dict(namespace))
    stock_hints = {
        name: hint for name, hint in typing.get_type_hints(stock.__init__).items() if name != "return"
    }
    assert {name: declared[name] for name in stock_hints} == stock_hints


@pytest.mark.parametrize(
    ("ours", "stock", "options"), CONSTRUCTORS, ids=lambda value: getattr(value, "__name__", "")
)
def test_constructor_introspection_shows_the_stock_keywords_and_ours(
    ours: type[Any], stock: type[Any], options: type[Any]
) -> None:
    stock_keywords = _stock_keywords(stock, "__init__")
    client = ours(
        api_key="sk-test",
        **({"api_version": "2025-01-01", "base_url": "http://host"} if "Azure" in ours.__name__ else {}),
    )
    for init in (ours.__init__, client.__init__):
        parameters = {
            name: parameter
            for name, parameter in inspect.signature(init).parameters.items()
            if name != "self"
        }
        assert list(parameters) == [*OWN_KEYWORDS, *stock_keywords]
        assert all(parameters[name].default is stock_keywords[name].default for name in stock_keywords)

    # What upstream's own `test_copy_signature` asks: each constructor keyword is one copy()
    # takes, save those the stock client's own copy() leaves out too.
    def constructor_only(init: Any, copy: Any) -> set[str]:
        return set(inspect.signature(init).parameters) - set(inspect.signature(copy).parameters)

    assert constructor_only(client.__init__, client.copy) == constructor_only(stock.__init__, stock.copy)
