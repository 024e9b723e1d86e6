"""Plot functions. Each takes a matplotlib ``ax`` and precomputed data; none recomputes results.

(Helpers append their functions at the end of this file; keep imports local to each function.)
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []  # each function appends its name below its definition
