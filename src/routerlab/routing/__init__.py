"""Routers: the one interface, baselines and bounds, predictive routers, cascades, the fan-out,
query features, saved routers and the LangGraph graph. Imports :mod:`routerlab.data` and below."""
