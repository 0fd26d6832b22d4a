"""Typed errors. Each names where the problem is and what was expected.

The CLI turns these into a clean message and a non-zero exit; the library never prints.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input file.

    >>> str(Problem("facts.yaml", 12, "grants[0].data_types[1]", "unknown data type 'phone nubmer'", "phone number"))
    "facts.yaml:12: grants[0].data_types[1]: unknown data type 'phone nubmer' — did you mean 'phone number'?"
    """

    file: str
    line: int | None
    field: str
    message: str
    suggestion: str | None = None

    def __str__(self) -> str:
        # graph.names only when a problem is written out, not at start-up
        from graph.names import did_you_mean

        where = self.file if self.line is None else f"{self.file}:{self.line}"
        field = f" {self.field}:" if self.field != "" else ""
        return f"{where}:{field} {self.message}{did_you_mean(self.suggestion)}"


class DatareachError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(DatareachError):
    """Input files were refused; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        head = "\n".join(str(p) for p in problems[:50])
        more = "" if count <= 50 else f"\n… and {count - 50} more"
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the input:\n{head}{more}")


class OutputError(DatareachError):
    """An output could not be written (the folder is missing, not a folder, or read-only)."""


class NotFoundError(DatareachError, LookupError):
    """A name (data type, company, integration…) that matches nothing known."""

    def __init__(self, kind: str, value: str, suggestions: list[str]):
        from graph.names import did_you_mean

        self.kind, self.value, self.suggestions = kind, value, suggestions
        super().__init__(f"unknown {kind} '{value}'{did_you_mean(suggestions)}")


class AmbiguousName(NotFoundError):
    """A name that matches several things equally well (e.g. a DPV-PD close match)."""

    def __init__(self, kind: str, value: str, candidates: list[str]):
        super().__init__(kind, value, candidates)
        self.args = (f"'{value}' matches several {kind}s: " + ", ".join(f"'{c}'" for c in candidates) + " — name one",)


class UsageError(DatareachError, ValueError):
    """A call's arguments do not fit together or name no known option (a measure, a format…)."""
