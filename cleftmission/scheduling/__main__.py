"""`python -m cleftmission.scheduling` is the `cleftmission-schedule` command."""

import sys

from cleftmission.scheduling.solver.cli import main

sys.exit(main())
