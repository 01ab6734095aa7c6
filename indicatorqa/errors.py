"""The one error type that reading user input may raise.

Readers and the value grammar promise: whatever bytes a user gives them, the only
exception that comes out is :class:`InputError`, carrying a Chinese message that
names the file (and the row where it applies). The CLI prints it as one line and
exits with code 2; a batch records it and goes on.
"""

from __future__ import annotations


class InputError(Exception):
    def __init__(self, message: str, file: str | None = None, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"文件 {self.file}")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        prefix = "，".join(where)
        return f"{prefix}：{self.message}" if prefix else self.message

    def to_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "message": self.message}
