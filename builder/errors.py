"""Problems users can act on, and the one exception family that carries them.

Every content, config or template problem becomes a `Problem` located at
`path:line`. Stages collect problems in a `Report` instead of raising at the
first one, so a user fixing a big archive sees everything in one run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        location = f"{self.path}:{self.line}" if self.line else self.path
        label = "warning: " if self.severity == "warning" else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{location}: {label}{self.message}{hint}"


class BuilderError(Exception):
    """Raised when a run cannot go on; carries every problem found so far."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(BuilderError):
    """site.yaml is missing or invalid."""


class ContentError(BuilderError):
    """One or more content files are invalid."""


class TemplateError(BuilderError):
    """A template failed to load or render."""


class OutputError(BuilderError):
    """The output folder could not be written."""


@dataclass
class Report:
    """Collects problems from every stage; warnings are counted, errors stop the build."""

    problems: list[Problem] = field(default_factory=list)

    def error(self, path: str, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(path, line, message, hint, "error"))

    def warning(self, path: str, line: int, message: str, hint: str = "") -> None:
        self.problems.append(Problem(path, line, message, hint, "warning"))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def raise_if_errors(self, strict: bool, error_type: type[BuilderError] = ContentError) -> None:
        """Stop the run if anything is an error (or, with `strict`, a warning)."""
        failing = self.problems if strict else self.errors
        if failing:  # warnings are shown too: they often explain the errors
            raise error_type(sorted(set(self.problems), key=_problem_order))


def _problem_order(problem: Problem) -> tuple[str, int, str]:
    return (problem.path, problem.line, problem.message)


def nearest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The closest candidate to `word`, for 'did you mean' hints."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    match = nearest(word, candidates, cutoff)
    return f"did you mean '{match}'?" if match else ""


class UsageError(BuilderError):
    """A command was asked for something it cannot do (exit status 2)."""
