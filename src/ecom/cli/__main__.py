"""`python -m ecom.cli ...` runs the `ecom` command."""

import sys

from ecom.cli import main

sys.exit(main())
