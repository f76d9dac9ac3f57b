"""The operating-schedule solver, pure: JSON-shaped dicts in and out, OR-Tools CP-SAT inside,
no Django. The formats are a public contract: docs/scheduling-format.md."""

from cleftmission.scheduling.solver.api import solve
from cleftmission.scheduling.solver.check import check
from cleftmission.scheduling.solver.problem import ProblemError
from cleftmission.scheduling.solver.repair import apply_events, repair

__all__ = ["ProblemError", "apply_events", "check", "repair", "solve"]
