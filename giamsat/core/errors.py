"""The few named errors the stages raise. The CLI and dashboard translate them into Vietnamese
messages; nothing else should catch them broadly."""

from __future__ import annotations


class GiamsatError(Exception):
    """Base class. ``exit_code`` is what the CLI exits with when this reaches it."""

    exit_code = 1


class ConfigError(GiamsatError):
    """A profile or settings file is invalid: names the file, the key path and what was expected."""

    exit_code = 2

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}: {key}: {problem}")


class StoreError(GiamsatError):
    """The store cannot be opened or used (bad URI, unreachable server, corrupt file)."""


class StaleEdit(StoreError):
    """An edit based on an old version of a record: someone else changed it first."""

    exit_code = 4

    def __init__(self, collection: str, doc_id: str, expected: int, actual: int | None) -> None:
        self.collection, self.doc_id, self.expected, self.actual = collection, doc_id, expected, actual
        super().__init__(
            f"{collection}/{doc_id}: bản ghi đã bị người khác thay đổi (phiên bản {actual}, "
            f"bạn sửa từ phiên bản {expected}); hãy tải lại rồi thao tác lại"
        )


class NotFound(GiamsatError):
    """A record that was asked for by id does not exist."""


class InvalidTransition(GiamsatError):
    """A ticket or alert status change the workflow does not allow."""


class PermissionDenied(GiamsatError):
    """The acting user's role or unit does not allow this action."""

    exit_code = 5


class SourceError(GiamsatError):
    """A source could not be fetched or parsed; carries the source id and a reason."""

    def __init__(self, source_id: str, reason: str) -> None:
        self.source_id, self.reason = source_id, reason
        super().__init__(f"{source_id}: {reason}")
