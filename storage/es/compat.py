"""Which Elasticsearch servers and Python clients work together, as one tested table.

Facts it rests on (Elastic's compatibility rules and the client's own code):

* the 9.x client sends ``compatible-with=9`` media types, which an 8.x server refuses with
  ``media_type_header_exception`` on every request that has a body;
* the 8.x client sends ``compatible-with=8``, which 9.x servers accept (REST API compatibility
  with the previous major);
* ``elasticsearch.helpers.streaming_bulk`` takes ``retry_on_status`` (used by
  ``storage.es.bulk``) only from client 8.16: with 8.15 every bulk write raises ``TypeError``;
* a client newer than the server may send parameters the server does not know yet, so the client
  should not be ahead of the server (``Dockerfile`` installs a client no newer than the image).

``check`` is called on every connection; ``docs/scale.md`` prints ``SUPPORTED`` as a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CLIENT_FLOOR = (8, 16)  # retry_on_status in helpers.streaming_bulk
CLIENT_CEILING_MAJOR = 9  # pyproject: elasticsearch>=8.16,<10
SERVER_FLOOR = (8, 0)

# (client major, server major) -> works? (and why not)
SUPPORTED: dict[tuple[int, int], str | None] = {
    (8, 8): None,
    (8, 9): None,
    (9, 9): None,
    (9, 8): "client 9.x gửi 'compatible-with=9', máy chủ 8.x từ chối (media_type_header_exception)",
}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    message: str = ""  # why not (Vietnamese, shown to the operator), or a warning when ok


def parse_version(text: str) -> tuple[int, int, int]:
    """``"9.1.0"``, ``"8.19.3-SNAPSHOT"`` -> ``(9, 1, 0)``; unknown parts are 0."""
    nums = [int(n) for n in re.findall(r"\d+", text or "")[:3]]
    while len(nums) < 3:
        nums.append(0)
    return nums[0], nums[1], nums[2]


def check(client: str, server: str, distribution: str | None = None) -> Verdict:
    """Whether client ``client`` can drive server ``server`` for everything giamsat does."""
    c, s = parse_version(client), parse_version(server)
    fix_8 = "pip install 'elasticsearch>=8.16,<9'"
    if distribution and distribution.lower() == "opensearch":
        return Verdict(False, f"máy chủ là OpenSearch {server}, không phải Elasticsearch: chưa được hỗ trợ")
    if c[:2] < CLIENT_FLOOR:
        return Verdict(
            False,
            f"thư viện elasticsearch {client} quá cũ: cần ≥ 8.16 (helpers.streaming_bulk(retry_on_status)); "
            f"máy chủ {server}: cài {fix_8 if s[0] == 8 else 'elasticsearch>=9,<10'}",
        )
    if c[0] > CLIENT_CEILING_MAJOR:
        return Verdict(False, f"thư viện elasticsearch {client} chưa được kiểm thử (giamsat hỗ trợ 8.16–9.x)")
    if s[:2] < SERVER_FLOOR:
        return Verdict(False, f"máy chủ Elasticsearch {server} quá cũ: cần 8.x hoặc 9.x")
    reason = SUPPORTED.get((c[0], s[0]), f"chưa kiểm thử thư viện {c[0]}.x với máy chủ {s[0]}.x")
    if reason is not None:
        hint = f"; với máy chủ 8.x hãy {fix_8}" if s[0] == 8 else ""
        return Verdict(
            False, f"thư viện elasticsearch {client} không dùng được với máy chủ {server}: {reason}{hint}"
        )
    if c[0] == s[0] and c[:2] > s[:2]:
        return Verdict(
            True,
            f"thư viện elasticsearch {client} mới hơn máy chủ {server}: nên dùng thư viện ≤ phiên bản máy chủ",
        )
    return Verdict(True)


def client_version() -> str:
    from elasticsearch import __versionstr__

    return str(__versionstr__)
