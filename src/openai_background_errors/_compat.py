"""Models that older openai 3.x releases lack, for the versions `pyproject.toml` claims.

`Misalignment` (the `misalignment` of a policy failure's `error`) appeared in
openai 3.57.0. On older releases the SDK keeps that field as an undeclared,
unparsed dict; `errors` builds this copy of the model from it so that
`BackgroundPolicyViolationError.misalignment` has the same fields everywhere.
Type checkers see the SDK's own model (the project is checked against the
newest openai).
"""

from __future__ import annotations

from typing import Optional

from openai._models import BaseModel

__all__ = ["Misalignment", "MisalignmentSteer"]


class MisalignmentSteer(BaseModel):
    """An optional public continuation instruction (openai 3.57.0's model)."""

    message: str


class Misalignment(BaseModel):
    """Why a policy stopped the run (openai 3.57.0's model, for older releases)."""

    detailed_explanation: Optional[str] = None  # noqa: UP045  # pydantic v1 evaluates the annotation
    error_type: Optional[str] = None  # noqa: UP045
    review_target: Optional[str] = None  # noqa: UP045
    steer: Optional[MisalignmentSteer] = None  # noqa: UP045
