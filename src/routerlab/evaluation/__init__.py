"""Measuring routers: the protocol (splits, seeds, intervals), sweeps, operating curves and the
cost-quality plane, and the analyses of datasets, model count and error structure.
Imports :mod:`routerlab.routing`, :mod:`routerlab.data` and below."""
