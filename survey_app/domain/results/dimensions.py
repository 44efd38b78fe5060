"""The cuts the results can be grouped by, importable without the computation (pandas)."""

from __future__ import annotations

#: The cuts ``--by`` accepts, with the Vietnamese name of each.
BY_DIMENSIONS = {
    "field": "Lĩnh vực",
    "channel": "Kênh khảo sát",
    "counter": "Quầy",
    "respondent_type": "Đối tượng",
}
