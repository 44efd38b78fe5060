"""Names shared by every module of the package, importable without numpy or pandas."""

from __future__ import annotations

from collections.abc import Sequence

#: Default group column of every table (a unit code).
DEFAULT_BY = "unit"
#: Group value used for the district row (all groups pooled).
DISTRICT = "__district__"

By = str | Sequence[str]
