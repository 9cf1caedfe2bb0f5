"""The harness that runs openai's generated tests against the emulator (tests/upstream_api)."""

from __future__ import annotations

import pytest

from tests.upstream_api.harness import EXPECTED_FAILURES, expected_failures, made_up_ids


def test_made_up_ids_are_the_ids_a_module_names() -> None:
    source = """
client.responses.retrieve(response_id="resp_677efb5139a88190b512bc3fef8e535d")
client.responses.delete("resp_677efb5139a88190b512bc3fef8e535d")
client.responses.input_items.list(response_id="response_id")
client.responses.create(previous_response_id="previous_response_id", prompt_cache_options={"comparison_response_id": "resp_123"})
client.responses.retrieve(response_id="")
client.responses.create(input="resume", model="gpt-4.1")
"""
    assert made_up_ids(source) == (
        "resp_677efb5139a88190b512bc3fef8e535d",
        "response_id",
        "previous_response_id",
        "resp_123",
    )


def test_each_expected_failure_gives_its_reason() -> None:
    listed = expected_failures(EXPECTED_FAILURES.read_text())
    assert listed, "the list is read"
    assert all(node_id.startswith("tests/api_resources/") and reason for node_id, reason in listed.items())


def test_an_expected_failure_without_a_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="no '# reason'"):
        expected_failures("tests/api_resources/test_responses.py::TestResponses::test_method_delete[loose]\n")
