"""The machinery behind `scripts/upstream-patch`: the upstream pull-request series, the fork, and their proof."""
