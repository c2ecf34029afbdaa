"""Stance: does an item *answer* a claim (denial, correction, official answer) or *spread* one?

Monitoring offices must not treat the government's own denial as the problem: "Thông tin sắp sơ
tán toàn bộ Nha Trang là sai sự thật" contains every word of the rumour and the words "sai sự
thật", which a topic or category model reads as misinformation. The stance decides first:

* ``bac-bo`` — the item denies, corrects or officially answers a claim or grievance: đính chính,
  bác bỏ, phủ nhận, "là sai sự thật", "không có chuyện", "không có chủ trương", "cơ quan chức năng
  khẳng định", "thông tin chính thức"... said *about* a claim, not quoted as a rumour's own
  insistence ("thông tin chính thức của Ban Giám hiệu: uống nước ấm diệt virus" is a rumour
  borrowing authority);
* ``tin-don`` — the item spreads a rumour or unverified claim: "nghe nói", "nóng:", "share gấp",
  "chưa kiểm chứng", "thông tin hoàn toàn chính xác", a call to pass it on;
* ``none`` otherwise.

Patterns are written with diacritics and matched on the lower-cased text; a post typed without
diacritics is matched on its folded form (the patterns folded too).
Each has a weight; the stance with the larger total wins when it reaches ``MIN_SCORE``, and the
phrase that decided is returned as the reason an officer reads. The patterns were written from
the guideline's definitions (docs/annotation.md §6) and checked on the labelled real items; the
figures are in docs/nlp.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from giamsat.core.text import fold, match_key, nfc

NONE, DENIAL, RUMOUR = "none", "bac-bo", "tin-don"
MIN_SCORE = 1.0

# (regex, weight), written with diacritics and matched on the lower-cased NFC text (new tone style);
# a text typed without diacritics is matched against the folded form of the same patterns. The
# diacritics matter: folded, "bác bỏ" (deny) is "Bắc Bộ" (the North), "phủ nhận" (deny) is "phu nhân"
# (wife), "đính chính" (correct) is "gia đình chính sách".
_DENIAL = [
    (r"\bđính chính\b", 1.2),
    (r"\bcải chính\b", 1.0),
    (r"\bbác bỏ (thông tin|tin|tin đồn|cáo buộc|nguồn tin|các thông tin|những thông tin)", 1.2),
    (r"\bbác (tin|thông tin)\b", 1.0),
    (r"\bphủ nhận (thông tin|tin|tin đồn|cáo buộc|việc|chuyện)", 1.0),
    (
        r"\b(là|hoàn toàn|đều|này) (sai sự thật|không đúng sự thật|bịa đặt|thất thiệt|không chính xác|giả mạo|thêu dệt|tin giả|tin vịt)\b",
        1.2,
    ),
    (r"\b(thông tin|tin) (này|đó|trên|ấy) (là )?(không đúng|sai|không chính xác)\b", 1.2),
    (r"\blên tiếng (phủ nhận|bác bỏ|đính chính|cải chính|khẳng định|giải thích|làm rõ)\b", 1.2),
    # an authority speaking up in the headline (the first ~120 characters): "Tổng cục Môi trường
    # lên tiếng", "Bộ trưởng … lên tiếng về vụ nổ"; alone it is not enough (a rumour may borrow it)
    (
        r"^[^\n]{0,120}?\b(bộ|sở|tổng cục|cục|viện|ubnd|công an|bộ trưởng|giám đốc|chủ tịch|lãnh đạo|thanh tra|viện kiểm sát|vksnd|bệnh viện|nhà trường|hiệu trưởng)( \w+){0,6} lên tiếng\b",
        0.6,
    ),
    (
        r"\b(thông tin|tin|bài viết|clip|hình ảnh|video)( \w+){0,6} (là )?(sai sự thật|không đúng sự thật|thất thiệt|bịa đặt|giả mạo)\b",
        1.0,
    ),
    (r"\b(chuyện|tin|thông tin) (thêu dệt|bịa đặt|thất thiệt)\b", 1.0),
    (r"^\W*(bịa đặt|tin giả|tin đồn thất thiệt|sự thật về)\b", 1.0),
    (r"\btin (đồn|giả) thất thiệt\b", 0.8),
    (
        r"\b(không có|không hề có) (chuyện|chủ trương|kế hoạch|quyết định|văn bản)( \w+){0,3} (như|về việc|sẽ|sắp|bị)",
        1.0,
    ),
    (r"\bchưa (hề )?có (chủ trương|kế hoạch|quyết định|văn bản)\b", 0.8),
    (r"\b(khẳng định|xác nhận)( \w+){0,3} (không|chưa) (có|hề|xảy ra|phải)\b", 0.8),
    (
        r"\b(cơ quan chức năng|công an|ubnd|ủy ban nhân dân|chính quyền)( \w+){0,6} (khẳng định|lên tiếng|bác bỏ|phủ nhận|đính chính)\b",
        0.8,
    ),
    (r"\b(người dân|bà con|du khách) (không nên|đừng|không) (hoang mang|lo lắng|hoảng sợ)\b", 0.8),
    (
        r"\bkhông (tin|chia sẻ|lan truyền)( \w+){0,4} (thông tin|tin) (chưa được kiểm chứng|sai|giả|thất thiệt)\b",
        0.8,
    ),
    (
        r"\b(xử phạt|xử lý|mời làm việc)( \w+){0,12} (đăng tải|đưa|lan truyền|chia sẻ)( \w+){0,6} (thông tin )?(sai sự thật|thất thiệt|bịa đặt|sai lệch)\b",
        0.9,
    ),
    (r"\bgiải trình\b", 0.5),
    (r"\btrả lời (cử tri|báo chí|phản ánh)\b", 0.6),
    (r"\btrả lời (báo|phóng viên|pv)\b", 0.5),
    (r"\blên tiếng (về|vụ|trước|sau)\b", 0.8),
    (r"\bthu hồi (công văn|văn bản)\b", 0.6),
    (r"\b(vu khống|vu cáo)\b", 0.5),
    (r"\b(giải thích|làm rõ) (về )?(thông tin|việc|vụ)\b", 0.5),
]
_RUMOUR = [
    (r"\bnghe (nói|đâu|bảo|đồn|người ta)\b", 1.0),
    (r"^\W*(nóng|tin nóng|khẩn|khẩn cấp|cảnh báo|gấp)\b", 0.8),
    (r"\b(share|chia sẻ|lan truyền|chuyển tiếp) (gấp|ngay|nhanh|cho mọi người|rộng rãi)\b", 1.0),
    (r"\bhoàn toàn chính xác\b", 1.0),
    (r"\b(chưa (được )?kiểm chứng|chưa rõ thực hư|chưa xác minh)\b", 0.6),
    (r"\b(có ai biết|có thật không|thật hay giả|có đúng không|ai xác nhận)\b", 0.6),
    (r"\b(sắp bị|sắp|chuẩn bị) (thu hồi|sơ tán|phong tỏa|cắt điện|cắt nước|giải tỏa|xả lũ)\b", 0.6),
    (r"\bkhông phải (đùa|đùa đâu|tin đồn)\b", 0.8),
    (r"\b(bạn thân|người nhà|người quen) (mình|tôi|em|anh)( \w+){0,4} (làm ở|làm trong|nói|kể)\b", 0.6),
]


@dataclass(frozen=True)
class Stance:
    label: str
    score: float
    phrase: str | None = None  # what decided, as written in the text

    @property
    def is_denial(self) -> bool:
        return self.label == DENIAL


Rules = list[tuple[re.Pattern[str], float]]


def _compile(pairs: list[tuple[str, float]], folded: bool) -> Rules:
    return [(re.compile(fold(p) if folded else p), w) for p, w in pairs]


# (with diacritics, without)
_DENIAL_RX = (_compile(_DENIAL, False), _compile(_DENIAL, True))
_RUMOUR_RX = (_compile(_RUMOUR, False), _compile(_RUMOUR, True))
_MAX_CHARS = 4000  # a denial says so in its headline or first paragraphs


def _score(folded: str, rules: Rules) -> tuple[float, tuple[int, int] | None]:
    total, first = 0.0, None
    for rx, weight in rules:
        m = rx.search(folded)
        if m:
            total += weight
            if first is None or m.start() < first[0]:
                first = (m.start(), m.end())
    return total, first


def detect_stance(text: str) -> Stance:
    """The item's stance toward the claims it mentions, with the deciding phrase."""
    original = nfc(text or "")[:_MAX_CHARS]
    folded = fold(original)  # one character per character of the NFC text: spans map back
    plain = sum(a != b for a, b in zip(original.lower(), folded, strict=False)) < max(2, len(original) // 200)
    key = folded if plain else match_key(original)  # same length as the text in both cases
    if len(key) != len(original):
        key, plain = folded, True
    which = 1 if plain else 0
    denial, d_span = _score(key, _DENIAL_RX[which])
    rumour, r_span = _score(key, _RUMOUR_RX[which])
    if denial >= MIN_SCORE and denial > rumour:
        return Stance(DENIAL, round(denial, 2), _phrase(original, d_span))
    if rumour >= MIN_SCORE and rumour > denial:
        return Stance(RUMOUR, round(rumour, 2), _phrase(original, r_span))
    return Stance(NONE, round(max(denial, rumour), 2))


def _phrase(original: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else original[span[0] : span[1]]
