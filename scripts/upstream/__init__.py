"""The machinery behind `scripts/upstream-patch`: port this repository into openai-python and prove it there."""
