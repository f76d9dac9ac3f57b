from __future__ import annotations

from cleftmission.core.tests.access_table import Page

STATION_PAGES: dict[str, Page] = {}
