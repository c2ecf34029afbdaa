"""Reading text files written by others (social exports, analyze input) without trusting them.

* **Encoding** is detected from the first 256 KB (``crawlers.encoding.decode``: BOM, UTF-8,
  then Windows-Vietnamese or the detector's guess) and *reported*: a cp1258 export is read as
  cp1258 and says so, instead of being stored as garbled UTF-8 replacement characters.
* **Lines are capped while reading.** ``TextIOWrapper.readline(limit)`` never holds more than the
  cap; the rest of an over-long line is skipped in small chunks and the line reported by number.
  A 50 MB line costs a few MB of memory, not gigabytes.
* **JSON arrays are streamed** (``iter_json_array``): each element's extent is found by a
  bracket/string scanner, then parsed on its own, so one bad element (a syntax error, nesting
  10,000 deep, an element over the cap) is one error with its line number and the next element
  is read normally.
* Only regular files: a FIFO or a device would block a read forever.
"""

from __future__ import annotations

import io
import json
import math
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from giamsat.core.errors import GiamsatError

SAMPLE_BYTES = 256 * 1024
MAX_LINE_CHARS = 1_000_000  # one post, row or JSONL line; a real one is under 100 KB
MAX_DOCUMENT_BYTES = 20_000_000  # a JSON document that is not an array is parsed whole
SKIP_CHUNK = 64 * 1024


class TextFileError(GiamsatError, ValueError):
    """The file as a whole cannot be read (``str()`` is the Vietnamese reason; the CLI prints it
    and exits 2)."""

    exit_code = 2


@dataclass
class Opened:
    text: TextIO
    encoding: str
    notes: list[str] = field(default_factory=list)  # encoding reports, for the import report


def check_regular(path: Path) -> None:
    try:
        st = path.stat()
    except OSError as exc:
        raise TextFileError(f"không đọc được {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise TextFileError(f"{path} không phải một tệp thường (thư mục, FIFO hay thiết bị): không đọc")


def open_text(path: Path) -> Opened:
    """Open ``path`` for reading as text in its detected encoding (invalid bytes replaced)."""
    from giamsat.crawlers.encoding import decode

    check_regular(path)
    raw = path.open("rb")
    sample = raw.read(SAMPLE_BYTES)
    raw.seek(0)
    if len(sample) == SAMPLE_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # never judge on a character cut in half
    notes = []
    stray = _stray_utf8_errors(sample)
    if stray is not None:
        # UTF-8 with a few broken bytes (a cut-and-paste accident): read as UTF-8, say so; one bad
        # byte must not flip a whole Vietnamese file into another encoding
        codec, legacy = "utf-8-sig" if sample.startswith(b"\xef\xbb\xbf") else "utf-8", None
        if stray:
            notes.append(f"{path.name}: {stray} chuỗi byte không phải UTF-8, thay bằng ký tự �")
    else:
        decoded = decode(sample, "text/plain")
        codec, legacy = decoded.encoding, decoded.legacy_font
        if decoded.how == "detected" or codec not in ("utf-8", "utf-8-sig"):
            notes.append(f"{path.name}: mã hóa {codec} (tự nhận, không phải UTF-8)")
    if legacy:
        notes.append(f"{path.name}: văn bản dùng phông cũ {legacy}, cần chuyển mã")
    text = io.TextIOWrapper(raw, encoding=codec, errors="replace", newline="")
    return Opened(text, codec, notes)


def _stray_utf8_errors(sample: bytes) -> int | None:
    """How many invalid sequences a sample that is UTF-8 apart from them has (0: clean UTF-8);
    None when it is not UTF-8 at all (many errors, or a UTF-16 BOM)."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    errors = sample.decode("utf-8", errors="replace").count("\ufffd") - sample.count(b"\xef\xbf\xbd")
    if errors == 0:
        return 0
    return errors if errors <= max(3, len(sample) // 20_000) else None


def iter_lines(fh: TextIO, max_chars: int = MAX_LINE_CHARS) -> Iterator[tuple[int, str | None]]:
    """``(line number, line)`` with its line break, NFC; ``(n, None)`` for a line over the cap
    (skipped without being kept in memory)."""
    n = 0
    while True:
        line = fh.readline(max_chars + 1)
        if not line:
            return
        n += 1
        if len(line) > max_chars and not line.endswith(("\n", "\r")):
            while True:  # drop the rest of the line, a chunk at a time
                rest = fh.readline(SKIP_CHUNK)
                if not rest or rest.endswith(("\n", "\r")):
                    break
            yield n, None
            continue
        yield n, unicodedata.normalize("NFC", line)


def loads(text: str) -> Any:
    """``json.loads`` for untrusted text: NaN/Infinity and numbers like 1e999 refused (they become
    ``inf`` and break every later int()), nesting errors turned into ``ValueError``."""

    def finite(s: str) -> float:
        value = float(s)
        if not math.isfinite(value):
            raise ValueError(f"số không hữu hạn: {s[:20]}")
        return value

    def no_constant(s: str) -> Any:
        raise ValueError(f"giá trị không hợp lệ trong JSON: {s}")

    try:
        return json.loads(text, parse_float=finite, parse_constant=no_constant)
    except RecursionError:
        raise ValueError("JSON lồng nhau quá sâu") from None


# -- JSON arrays, element by element ------------------------------------------------------------
_STRUCT = re.compile(r'[\[\]{}",\n]')
_IN_STRING = re.compile(r'["\\\n]')


def iter_json_array(fh: TextIO, max_chars: int = MAX_LINE_CHARS) -> Iterator[tuple[int, Any | ValueError]]:
    """The elements of a top-level JSON array: ``(line number, value)`` or ``(line, ValueError)``
    for an element that is not valid JSON or is over the cap. Raises ``TextFileError`` when the
    file is not an array at all, or is cut off."""
    reader = _Scanner(fh)
    reader.skip_ws()
    if reader.peek() != "[":
        raise TextFileError("không phải một mảng JSON")
    reader.pos += 1
    while True:
        reader.skip_ws()
        c = reader.peek()
        if c == "]":
            return
        if c == "":
            raise TextFileError(f"mảng JSON bị cắt cụt (hết tệp ở dòng {reader.line})")
        if c == ",":
            reader.pos += 1
            continue
        line = reader.line
        text, complete = reader.element(max_chars)
        if not complete:
            yield line, ValueError(f"phần tử dài quá {max_chars} ký tự: bỏ qua")
            continue
        try:
            yield line, loads(text)
        except ValueError as exc:
            yield line, ValueError(f"JSON hỏng ({getattr(exc, 'msg', exc)})")


class _Scanner:
    """A window over the file: finds where one array element ends (depth 0 ``,`` or ``]``),
    aware of strings and escapes, reading more only as needed."""

    def __init__(self, fh: TextIO) -> None:
        self.fh, self.buf, self.pos, self.line, self.eof = fh, "", 0, 1, False

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(SKIP_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        while self.pos >= len(self.buf):
            if not self._more():
                return ""
        return self.buf[self.pos]

    def skip_ws(self) -> None:
        while True:
            c = self.peek()
            if c == "\n":
                self.line += 1
            if c and c in " \t\r\n\ufeff":
                self.pos += 1
                continue
            return

    def element(self, cap: int) -> tuple[str, bool]:
        """The text of the element at ``pos`` and whether it is whole; past ``cap`` characters the
        element is read to its end without being kept (``("", False)``)."""
        depth, in_str, escaped = 0, False, False
        start = i = self.pos
        kept: list[str] = []
        size = 0
        while True:
            if i >= len(self.buf):
                piece = self.buf[start:i]
                size += len(piece)
                if size <= cap:
                    kept.append(piece)
                self.pos = i
                if not self._more():
                    return ("".join(kept), size <= cap) if size <= cap else ("", False)
                start = i = 0
                continue
            if escaped:
                escaped, i = False, i + 1
                continue
            if in_str:
                m = _IN_STRING.search(self.buf, i)
                if m is None:
                    i = len(self.buf)
                    continue
                i = m.start()
                c = self.buf[i]
                if c == "\\":
                    escaped = True
                elif c == '"':
                    in_str = False
                else:
                    self.line += 1
                i += 1
                continue
            m = _STRUCT.search(self.buf, i)
            if m is None:
                i = len(self.buf)
                continue
            i = m.start()
            c = self.buf[i]
            if c == '"':
                in_str = True
            elif c in "[{":
                depth += 1
            elif c in "]}":
                if depth == 0:
                    break
                depth -= 1
            elif c == "," and depth == 0:
                break
            elif c == "\n":
                self.line += 1
            i += 1
        piece = self.buf[start:i]
        size += len(piece)
        self.pos = i
        if size > cap:
            return "", False
        kept.append(piece)
        return "".join(kept), True
