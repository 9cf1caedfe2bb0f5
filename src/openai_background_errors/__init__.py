"""Typed, classified exceptions for background Responses that fail.

A background run that fails is reported inside an HTTP 200 body. This package
turns that body into a `BackgroundResponseError` subclass chosen by
`error.code`, raised by its clients from `responses.retrieve`, `responses.poll`,
`responses.create_and_poll`, `responses.from_webhook` and every stream entry
point, handed out as a value by `responses.poll_many` (and raised by
`raise_for_status` for responses you already hold).
"""

from openai import OpenAIError

from ._pydantic1_threads import make_generic_models_thread_safe
from .client import AsyncAzureOpenAI, AsyncOpenAI, AzureOpenAI, OpenAI, enable
from .errors import (
    BackgroundContentFilterError,
    BackgroundDataResidencyError,
    BackgroundImageContentPolicyError,
    BackgroundInvalidImageError,
    BackgroundInvalidPromptError,
    BackgroundMaxOutputTokensError,
    BackgroundPolicyViolationError,
    BackgroundQuotaExceededError,
    BackgroundRateLimitError,
    BackgroundResponseCancelledError,
    BackgroundResponseError,
    BackgroundResponseFailedError,
    BackgroundResponseIncompleteError,
    BackgroundServerError,
    BackgroundVectorStoreTimeoutError,
)
from .outcome import PollOutcome
from .registry import ErrorRegistry, default_registry, error_for, is_retryable, raise_for_status

__version__ = "0.1.0"

make_generic_models_thread_safe()

__all__ = [
    "AsyncAzureOpenAI",
    "AsyncOpenAI",
    "AzureOpenAI",
    "BackgroundContentFilterError",
    "BackgroundDataResidencyError",
    "BackgroundImageContentPolicyError",
    "BackgroundInvalidImageError",
    "BackgroundInvalidPromptError",
    "BackgroundMaxOutputTokensError",
    "BackgroundPolicyViolationError",
    "BackgroundQuotaExceededError",
    "BackgroundRateLimitError",
    "BackgroundResponseCancelledError",
    "BackgroundResponseError",
    "BackgroundResponseFailedError",
    "BackgroundResponseIncompleteError",
    "BackgroundServerError",
    "BackgroundVectorStoreTimeoutError",
    "ErrorRegistry",
    "OpenAI",
    "OpenAIError",
    "PollOutcome",
    "default_registry",
    "enable",
    "error_for",
    "is_retryable",
    "raise_for_status",
]
