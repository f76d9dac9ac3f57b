"""The scheduling tests' mission (`setup`): the reports' hand-computed mission is built on it."""

from cleftmission.scheduling.tests.conftest import setup  # noqa: F401  (fixture)
