"""Vietnamese for the command line's own words.

typer (and the click it carries inside it, ``typer._click``) prints "Usage:", "Options",
"[default: …]", "[required]", "<str>", "Show this message and exit." and its error messages
("Missing option '--as'.") in English, and this version has no translation catalogue to plug
into. ``install()`` sets typer's documented panel strings and wraps the few places that build the
others, translating fixed phrases only - our own help texts are Vietnamese already.
``tests/test_cli.py`` runs ``--help`` and a bad call of every command group and looks for English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

PANELS = {
    "DEFAULT_STRING": "[mặc định: {}]",
    "ENVVAR_STRING": "[biến môi trường: {}]",
    "REQUIRED_LONG_STRING": "[bắt buộc]",
    "DEPRECATED_STRING": "(không còn dùng) ",
    "ARGUMENTS_PANEL_TITLE": "Đối số",
    "OPTIONS_PANEL_TITLE": "Tùy chọn",
    "COMMANDS_PANEL_TITLE": "Lệnh",
    "ERRORS_PANEL_TITLE": "Lỗi",
    "ABORTED_TEXT": "Đã hủy.",
    "RICH_HELP": "Xem hướng dẫn: [blue]{command_path} {help_option}[/]",
}
# value types as typer writes them (<str>, <int>, <list[str]>...)
TYPES = {
    "str": "chữ",
    "int": "số",
    "float": "số",
    "bool": "",
    "path": "tệp",
    "file": "tệp",
    "directory": "thư mục",
    "datetime": "thời điểm",
}
PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r)
    for p, r in (
        (r"^Usage: ", "Cách dùng: "),
        (r"\[OPTIONS\]", "[TÙY CHỌN]"),
        (r"COMMAND \[ARGS\]\.\.\.", "LỆNH [ĐỐI SỐ]..."),
        (r"\[ARGS\]\.\.\.", "[ĐỐI SỐ]..."),
        (r"Missing option", "Thiếu tùy chọn"),
        (r"Missing argument", "Thiếu đối số"),
        (r"Missing parameter", "Thiếu tham số"),
        (r"Missing command\.", "Thiếu lệnh."),
        (r"No such command", "Không có lệnh"),
        (r"No such option", "Không có tùy chọn"),
        (r"\(Possible options: ", "(Có thể là: "),
        (r"Did you mean", "Có phải là"),
        (r"Invalid value for ", "Giá trị không hợp lệ cho "),
        (r"Invalid value: ", "Giá trị không hợp lệ: "),
        (r"Got unexpected extra arguments? ", "Thừa đối số "),
        (r"Option '([^']+)' requires an argument\.", r"Tùy chọn '\1' cần một giá trị."),
        (r"Option '([^']+)' does not take a value\.", r"Tùy chọn '\1' không nhận giá trị."),
        (r"'([^']*)' is not a valid integer\.", r"'\1' không phải số nguyên."),
        (r"'([^']*)' is not a valid float\.", r"'\1' không phải số."),
        (r"'([^']*)' is not one of (.+)\.", r"'\1' không thuộc \2."),
        (r"Could not open file", "Không mở được tệp"),
        (r"Path '([^']*)' does not exist\.", r"Không có đường dẫn '\1'."),
        (r"File '([^']*)' does not exist\.", r"Không có tệp '\1'."),
        (r"Directory '([^']*)' does not exist\.", r"Không có thư mục '\1'."),
        (r"Input should be a valid integer[^\n]*", "cần một số nguyên"),
        (r"Input should be a valid (number|float)[^\n]*", "cần một số"),
        (r"Input should be a valid boolean[^\n]*", "cần có hoặc không (true/false)"),
        (r"Input should be a valid (datetime|date)[^\n]*", "cần một ngày giờ hợp lệ"),
        (r"Error: ", "Lỗi: "),
        (r"Aborted!", "Đã hủy."),
    )
]
HELP_OPTION = "Hiện hướng dẫn này rồi thoát."
_installed = False


def vi(text: str) -> str:
    for pattern, replacement in PHRASES:
        text = pattern.sub(replacement, text)
    return text


def _type_label(label: str | None) -> str | None:
    if not label or not (label.startswith("<") and label.endswith(">")):
        return label
    inner = label[1:-1]
    if inner.startswith("list[") and inner.endswith("]"):
        word = TYPES.get(inner[5:-1], inner[5:-1])
        return f"<{word}, …>" if word else None
    if inner in TYPES:
        return f"<{TYPES[inner]}>" if TYPES[inner] else None
    return label


def _after(fn: Callable[..., Any], post: Callable[[Any], Any]) -> Callable[..., Any]:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return post(fn(*args, **kwargs))

    return wrapper


def _family(cls: type) -> set[type]:
    """``cls``, its bases (where a method may really live) and every subclass below it."""
    out: set[type] = set(cls.__mro__[:-1])
    todo: list[type] = [cls]
    while todo:
        subs: list[type] = todo.pop().__subclasses__()
        for sub in subs:
            if sub not in out:
                out.add(sub)
                todo.append(sub)
    return out


def install() -> None:
    """Idempotent; called once by ``giamsat.cli`` before the app is built."""
    global _installed
    if _installed:
        return
    from typer import core, rich_utils
    from typer._click import core as click_core
    from typer._click import exceptions

    for name, value in PANELS.items():
        setattr(rich_utils, name, value)
    for command in (click_core.Command, core.TyperCommand, core.TyperGroup):
        if "get_usage" in command.__dict__:
            command.get_usage = _after(command.__dict__["get_usage"], vi)  # type: ignore[method-assign]
    click_core.Context.get_usage = _after(click_core.Context.get_usage, vi)  # type: ignore[method-assign]
    for param in _family(core.TyperOption) | _family(core.TyperArgument):
        if "display_type" in param.__dict__:
            setattr(param, "display_type", _after(param.__dict__["display_type"], _type_label))  # noqa: B010
    for error in _family(exceptions.ClickException):
        if "format_message" in error.__dict__:
            setattr(error, "format_message", _after(error.__dict__["format_message"], vi))  # noqa: B010

    original = click_core.Command.get_help_option

    @wraps(original)
    def help_option(self: Any, ctx: Any) -> Any:
        opt = original(self, ctx)
        if opt is not None:
            opt.help = HELP_OPTION
        return opt

    click_core.Command.get_help_option = help_option  # type: ignore[method-assign]
    _installed = True
