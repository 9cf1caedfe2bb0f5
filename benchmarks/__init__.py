"""Side-by-side benchmarks: this project's clients against the stock `openai` client.

`python -m benchmarks [--quick]` (what `scripts/bench` runs) measures each figure
as a ratio A / B, where A is the project doing some work and B is the stock SDK
doing the same work in the same run. One module per figure; `_harness` pairs
and summarises samples, `_fixtures` builds the clients, payloads and transports.
"""
