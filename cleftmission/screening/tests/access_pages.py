"""The screening pages in the access table walked by core/tests/test_access.py. Each page
module keeps its own table (intake, stations, board) so they can grow independently."""

from __future__ import annotations

from cleftmission.core.tests.access_table import Page
from cleftmission.screening.tests.access_board import BOARD_PAGES
from cleftmission.screening.tests.access_intake import INTAKE_PAGES
from cleftmission.screening.tests.access_stations import STATION_PAGES

SCREENING_PAGES: dict[str, Page] = {**INTAKE_PAGES, **STATION_PAGES, **BOARD_PAGES}
