"""Benchmarks: the container, RouterBench-Sim, the real sources, and the tables they travel in.

Imports nothing from the other wings (routing, evaluation, reproduction, book); only
:mod:`routerlab.errors`, :mod:`routerlab.locks` and :mod:`routerlab.metrics` beneath it.
Its files: ``calibration.csv`` (the simulator's public inputs), ``prices/`` (USD per 1M tokens),
``sha256/`` (the digests every real source is checked against).
"""
