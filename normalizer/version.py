"""Which normalizer made a claim: the package's code and word lists, hashed.

Claims record it, so that `toolwatch renormalize` knows which stored documents an
improved normalizer has not read yet. Any change to the normalizer's files is a
new version; no one has to remember to bump a number.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
PATTERNS = ("**/*.py", "data/**/*")


@cache
def normalizer_version() -> str:
    digest = hashlib.sha256()
    files = sorted(
        {
            p
            for pattern in PATTERNS
            for p in HERE.glob(pattern)
            if p.is_file() and "__pycache__" not in p.parts
        }
    )
    for path in files:
        digest.update(path.relative_to(HERE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return f"n-{digest.hexdigest()[:16]}"
