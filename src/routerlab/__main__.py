"""``python -m routerlab`` runs the command line (see :mod:`routerlab.cli`)."""

from routerlab.cli import main

raise SystemExit(main())
