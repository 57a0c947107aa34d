"""``python -m skseq``: the same command line as ``skseq``."""

import sys

from skseq.cli import main

sys.exit(main())
