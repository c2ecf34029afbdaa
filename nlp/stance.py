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

Patterns are matched on folded text (no diacritics, đ→d), so posts typed without accents count.
Each has a weight; the stance with the larger total wins when it reaches ``MIN_SCORE``, and the
phrase that decided is returned as the reason an officer reads. The patterns were written from
the guideline's definitions (docs/annotation.md §6) and checked on the labelled real items; the
figures are in docs/nlp.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from giamsat.core.text import fold, nfc

NONE, DENIAL, RUMOUR = "none", "bac-bo", "tin-don"
MIN_SCORE = 1.0

# (folded regex, weight). Word boundaries are explicit: folded Vietnamese has many short words.
_DENIAL = [
    (r"\bdinh chinh\b", 1.2),
    (r"\bcai chinh\b", 1.0),
    (r"\bbac bo\b", 1.2),
    (r"\bbac tin\b", 1.0),
    (r"\bphu nhan\b", 1.0),
    (
        r"\b(la|hoan toan|deu|nay) (sai su that|khong dung su that|bia dat|that thiet|khong chinh xac|gia mao)\b",
        1.2,
    ),
    (
        r"\b(thong tin|tin|bai viet|clip|hinh anh|video) (tren|nay|do|lan truyen[a-z ]{0,30})?\s?(la )?(sai su that|khong dung su that|that thiet|khong chinh xac|gia mao|bia dat)\b",
        1.0,
    ),
    (r"\btin (don|gia) that thiet\b", 0.8),
    (r"\b(khong co|khong he co) (chuyen|viec|chu truong|ke hoach|quyet dinh|thong tin|van ban)\b", 1.0),
    (r"\bchua (he )?co (chu truong|ke hoach|quyet dinh|van ban)\b", 0.8),
    (r"\b(khang dinh|xac nhan|cho biet|thong tin)[a-z ]{0,12}(khong|chua) (co|he|xay ra|phai)\b", 0.8),
    (
        r"\b(co quan chuc nang|cong an|ubnd|uy ban nhan dan|so [a-z]+|bo [a-z]+|chinh quyen|lanh dao)[a-z ]{0,40}(khang dinh|len tieng|bac bo|phu nhan|dinh chinh|canh bao)\b",
        0.8,
    ),
    (r"\b(nguoi dan|ba con|du khach) (khong nen|dung|khong) (hoang mang|lo lang|hoang so|tin)\b", 0.8),
    (
        r"\bkhong (tin|chia se|lan truyen)[a-z ,]{0,20}(thong tin|tin) (chua duoc kiem chung|sai|gia|that thiet)\b",
        0.8,
    ),
    (
        r"\b(xu phat|xu ly|moi lam viec)[a-z ]{0,60}(dang tai|dua|lan truyen|chia se)[a-z ]{0,30}(thong tin )?(sai su that|that thiet|gia|bia dat|sai lech)\b",
        0.9,
    ),
    (r"\bsu that (ve|la)\b", 0.4),
    (r"\bgiai trinh\b", 0.5),
    (r"\bthong tin chinh thuc\b", 0.4),
]
_RUMOUR = [
    (r"\bnghe (noi|dau|bao|dan|nguoi ta)\b", 1.0),
    (r"^\W*(nong|tin nong|khan|canh bao|gap)\b", 0.8),
    (r"\b(share|chia se|lan truyen|chuyen tiep) (gap|ngay|nhanh|cho moi nguoi|rong rai)\b", 1.0),
    (r"\bhoan toan chinh xac\b", 1.0),
    (r"\b(chua (duoc )?kiem chung|chua ro thuc hu|chua xac minh)\b", 0.6),
    (r"\b(co ai biet|co that khong|that hay gia|co dung khong|ai xac nhan)\b", 0.6),
    (r"\b(sap bi|sap|chuan bi) (thu hoi|so tan|phong toa|cat dien|cat nuoc|giai toa|xa lu)\b", 0.6),
    (r"\bkhong phai (dua|dua dau|tin don)\b", 0.8),
    (r"\b(ban than|nguoi nha|nguoi quen) (minh|toi|em|anh)[a-z ]{0,20}(lam o|lam trong|noi|ke)\b", 0.6),
]


@dataclass(frozen=True)
class Stance:
    label: str
    score: float
    phrase: str | None = None  # what decided, as written in the text

    @property
    def is_denial(self) -> bool:
        return self.label == DENIAL


def _compile(pairs: list[tuple[str, float]]) -> list[tuple[re.Pattern[str], float]]:
    return [(re.compile(p), w) for p, w in pairs]


_DENIAL_RX = _compile(_DENIAL)
_RUMOUR_RX = _compile(_RUMOUR)
_MAX_CHARS = 4000  # a denial says so in its headline or first paragraphs


def _score(folded: str, rules: list[tuple[re.Pattern[str], float]]) -> tuple[float, tuple[int, int] | None]:
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
    denial, d_span = _score(folded, _DENIAL_RX)
    rumour, r_span = _score(folded, _RUMOUR_RX)
    if denial >= MIN_SCORE and denial > rumour:
        return Stance(DENIAL, round(denial, 2), _phrase(original, d_span))
    if rumour >= MIN_SCORE and rumour > denial:
        return Stance(RUMOUR, round(rumour, 2), _phrase(original, r_span))
    return Stance(NONE, round(max(denial, rumour), 2))


def _phrase(original: str, span: tuple[int, int] | None) -> str | None:
    return None if span is None else original[span[0] : span[1]]
