"""Published surgical-scheduling instances, translated for the solver tests (README.md)."""
