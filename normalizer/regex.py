"""Patterns built at run time from model names, compiled once per process.

`re` keeps 512 compiled patterns and drops the oldest first: one corpus pass builds
more name patterns than that, so without this cache every name was compiled again for
each document naming it, and the modules' own inline patterns were evicted and
recompiled too (about 1,000 compilations a pass).
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=8192)
def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile`, remembered: the same pattern object for the same source and flags."""
    return re.compile(pattern, flags)
