from __future__ import annotations

from cleftmission.core.tests.access_table import Page

BOARD_PAGES: dict[str, Page] = {}
