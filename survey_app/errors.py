"""Domain errors raised by models and services; views turn them into clear 4xx pages."""

from __future__ import annotations


class DomainError(ValueError):
    """A rule of the domain was broken; ``str(error)`` is a Vietnamese message for people."""


class ImmutableVersionError(DomainError):
    def __init__(self, label: str):
        super().__init__(f"Bộ phiếu {label} đã công bố nên không được sửa hay xóa; "
                         "hãy tạo phiên bản mới.")


class InvalidTransition(DomainError):
    def __init__(self, current: str, target: str):
        self.current = current
        self.target = target
        super().__init__(f"Không thể chuyển đợt khảo sát từ trạng thái “{current}” "
                         f"sang “{target}”.")
