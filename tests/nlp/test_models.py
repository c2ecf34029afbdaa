"""Features, lexicons and the shipped classifiers (real artefact in nlp/artifacts)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from giamsat.core.codes import CATEGORIES, SENTIMENTS
from giamsat.nlp.features import Featurizer, LexiconMatcher, analyze, fold_lower, prepare, topic_lexicon_hits
from giamsat.nlp.models import ModelBundle

REPO = Path(__file__).resolve().parents[2]


def test_folded_view_links_text_with_and_without_diacritics() -> None:
    with_marks = set(analyze("Người dân phản ánh thu hồi đất"))
    without = set(analyze("nguoi dan phan anh thu hoi dat"))
    assert "f:thu hoi" in with_marks & without
    assert "w:thu hồi" in with_marks and "w:thu hồi" not in without


def test_prepare_normalises_tone_style_teencode_and_noise() -> None:
    assert prepare("Hoà Bình") == prepare("Hòa Bình")
    assert "urltoken" in prepare("xem https://fb.com/abc")
    assert "w:không" in analyze("ko biết")  # teencode expanded
    assert fold_lower("đất đai khánh hòa") == "dat dai khanh hoa"


def test_lexicon_is_diacritic_sensitive_unless_text_has_none() -> None:
    m = LexiconMatcher({"thien-tai": ["bão", "lũ lụt"]})
    assert m.find("Bao nhiêu người dân bị ảnh hưởng?") == {}
    assert m.find("Cơn bão số 13 gây lũ lụt") == {"thien-tai": ["bão", "lũ lụt"]}
    assert m.find("con bao so 13 gay lu lut") == {"thien-tai": ["lũ lụt", "bão"]} or set(
        m.find("con bao so 13 gay lu lut")["thien-tai"]
    ) == {"bão", "lũ lụt"}


def test_profile_topic_lexicon_both_tone_styles(profile) -> None:
    assert "moi-truong" in topic_lexicon_hits(profile, "Người dân kêu mùi hôi, nghi xả thải ra sông")
    assert "thien-tai" in topic_lexicon_hits(profile, "Sạt lở nghiêm trọng sau mưa lớn")


def test_featurizer_is_deterministic_and_capped() -> None:
    texts = ["đường hư hỏng nặng", "đường hư hỏng", "cán bộ nhũng nhiễu", "nhũng nhiễu dân"] * 3
    a, b = Featurizer(max_features=50), Featurizer(max_features=50)
    Xa, Xb = a.fit_transform(texts), b.fit_transform(texts)
    assert a.n_features == 50
    assert np.array_equal(a.columns, b.columns) and (Xa != Xb).nnz == 0


@pytest.fixture(scope="module")
def bundle() -> ModelBundle:
    return ModelBundle.load()


def test_shipped_bundle_predicts_every_head(bundle, profile) -> None:
    texts = [
        "Đường vào thôn ngập sâu, ổ gà khắp nơi, người dân bức xúc phản ánh nhiều lần mà chưa ai giải quyết",
        "Du khách quốc tế đổ về Nha Trang dịp lễ hội, nhiều khách sạn và resort kín phòng",
        "",
    ]
    preds = bundle.predict(texts, topic_codes={t.code for t in profile.topics})
    assert len(preds) == 3
    for p in preds:
        assert p.sentiment[0] in SENTIMENTS and p.category[0] in CATEGORIES
        assert abs(sum(p.category_probs.values()) - 1) < 1e-4
        assert all(code in {t.code for t in profile.topics} for code, _ in p.topics)
        assert [s for _, s in p.topics] == sorted((s for _, s in p.topics), reverse=True)
    assert preds[0].category[0] == "phan-anh" and preds[0].sentiment[0] == "tieu-cuc"
    assert preds[1].category[0] == "none"
    assert "du-lich" in [c for c, _ in preds[1].topics]
    assert bundle.version and all(v.endswith(bundle.version) for v in bundle.versions().values())


def test_shipped_artefacts_are_small() -> None:
    total = sum(p.stat().st_size for p in (REPO / "nlp" / "artifacts").glob("*") if p.is_file())
    assert total < 30e6


def test_train_rebuilds_reproducibly_from_the_corpus(tmp_path, profile) -> None:
    """Corpus-only training (no external data dir) twice gives identical heads."""
    from giamsat.nlp.train import train_all, write_model_card

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = []
    for name in ("press.jsonl", "social.jsonl"):
        lines += (REPO / "nlp" / "corpus" / name).read_text(encoding="utf-8").splitlines()[:100]
    (corpus / "mix.jsonl").write_text("\n".join([*lines, "{broken"]) + "\n", encoding="utf-8")
    metas = [
        train_all(tmp_path / "no-data", tmp_path / f"out{i}", profile, corpus_dir=corpus) for i in (1, 2)
    ]
    assert metas[0]["counts"]["corpus_train"] > 120
    a, b = (ModelBundle.load(tmp_path / f"out{i}") for i in (1, 2))
    for head in ("sentiment", "category", "topics"):
        assert np.array_equal(a.heads[head].coef, b.heads[head].coef)
    card = write_model_card(metas[0], tmp_path / "out1")
    assert "model card" in card.read_text(encoding="utf-8")
    assert json.loads((tmp_path / "out1" / "train_meta.json").read_text())["version"] == metas[0]["version"]


def test_training_data_excludes_heldout(tmp_path, profile) -> None:
    """nlp/corpus/heldout.jsonl is test-only: gather() must never read it, in any split."""
    from giamsat.nlp.train import gather, training_corpus

    held = (REPO / "nlp" / "corpus" / "heldout.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(held) >= 250
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    train_lines = (REPO / "nlp" / "corpus" / "social.jsonl").read_text(encoding="utf-8").splitlines()[:60]
    (corpus / "social.jsonl").write_text("\n".join(train_lines) + "\n", encoding="utf-8")
    (corpus / "heldout.jsonl").write_text("\n".join(held) + "\n", encoding="utf-8")
    for split in ("train", "dev"):
        assert training_corpus(split, corpus) and not any(
            ex.id.startswith("heldout-") for ex in training_corpus(split, corpus)
        )
    data = gather(tmp_path / "no-data", corpus, profile)
    held_texts = {json.loads(x)["text"] for x in held}
    used = [r[0] for task in ("sentiment", "category", "topics") for r in data[task]] + [
        t for t, _ in data["dev"]
    ]
    assert not any(text in u for u in used for text in held_texts)


def test_training_adds_a_folded_copy_of_corpus_rows(tmp_path, profile) -> None:
    """Rows typed with diacritics get a lower-weight no-diacritics twin; rows without don't."""
    from giamsat.nlp.datasets import hash_split
    from giamsat.nlp.train import CORPUS_WEIGHT, FOLD_WEIGHT, gather

    ids = [f"x-{n}" for n in range(40) if hash_split(f"x-{n}") == "train"][:2]
    texts = ["Đường ngập sâu, dân bức xúc", "duong ngap sau qua"]
    recs = [
        {"id": i, "text": t, "sentiment": "tieu-cuc", "topics": ["ha-tang"], "category": "phan-anh"}
        for i, t in zip(ids, texts, strict=True)
    ]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "c.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in recs), encoding="utf-8"
    )
    rows = [(t, w) for t, _, w in gather(tmp_path / "no-data", corpus, profile)["category"]]
    assert sorted(rows) == sorted(
        [
            (texts[0], CORPUS_WEIGHT),
            ("duong ngap sau, dan buc xuc", CORPUS_WEIGHT * FOLD_WEIGHT),
            (texts[1], CORPUS_WEIGHT),
        ]
    )


def test_category_prior_shifts_only_matched_rows() -> None:
    from giamsat.nlp.models import apply_category_prior

    classes = ["none", "phan-anh", "sai-su-that", "xau-doc"]
    P = np.array([[0.4, 0.3, 0.2, 0.1], [0.4, 0.3, 0.2, 0.1]])
    Q = apply_category_prior(classes, P, [{"xau-doc"}, set()], 1.0)
    assert Q[0, 3] > P[0, 3] and np.allclose(Q[1], P[1]) and np.allclose(Q.sum(1), 1)
    assert apply_category_prior(classes, P, [{"xau-doc"}, set()], 0.0) is P


def test_more_teencode_is_expanded() -> None:
    feats = set(analyze("mn ơi ae ib sdt giúp mình"))
    assert {"w:mọi", "w:người", "w:anh", "w:em", "w:nhắn", "w:số", "w:thoại"} <= feats


def test_cue_families_fire_with_and_without_diacritics() -> None:
    from giamsat.nlp.features import cue_matrix, cue_patterns, load_cues

    cues = load_cues()
    labels = ["tin-don", "phan-anh", "chong-pha"]
    K = cue_matrix(
        [
            "Nghe nói sắp vỡ đập, share gấp!",
            "nghe noi sap vo dap, share gap!",
            "Người dân bức xúc nhiều ngày nay",
            "Trời hôm nay đẹp",
        ],
        cue_patterns({k: cues[k] for k in labels}),
    )
    assert K[0, 0] > 0 and np.allclose(K[0], K[1])  # folded matching: typed either way
    assert K[2, 1] > 0 and K[2, 0] == 0
    assert not K[3].any()


def test_featurizer_cue_columns_are_appended_only_when_trained_with_them() -> None:
    texts = ["nghe nói sắp vỡ đập", "người dân bức xúc", "bão số 3 vào Khánh Hòa"] * 2
    plain = Featurizer(max_features=1000, min_df=1).fit(texts)
    cued = Featurizer(max_features=1000, min_df=1, cue_scale=1.0).fit(texts)
    assert cued.n_features == plain.n_features + len(cued.cue_labels) > plain.n_features
    X = cued.transform(["nghe noi sap vo dap"])
    assert X.shape == (1, cued.n_features)
    assert X[0, plain.n_features + cued.cue_labels.index("tin-don")] > 0
    del plain.cues  # an artefact pickled before cue features existed
    assert plain.transform(texts).shape[1] == plain.n_features


def test_class_bias_shifts_decisions_and_keeps_probabilities() -> None:
    from giamsat.nlp.models import apply_class_bias

    classes = ["none", "phan-anh"]
    P = np.array([[0.6, 0.4], [0.9, 0.1]])
    Q = apply_class_bias(classes, P, {"none": 0.0, "phan-anh": 0.5})
    assert Q[0].argmax() == 1 and Q[1].argmax() == 0 and np.allclose(Q.sum(1), 1)
    assert apply_class_bias(classes, P, None) is P
    assert apply_class_bias(classes, P, {"none": 0.0, "phan-anh": 0.0}) is P


def test_cv_folds_keep_items_and_biases_stay_zero_without_gain() -> None:
    from giamsat.nlp.train import cv_biases, cv_folds

    ids = [f"baomoi:{i}" for i in range(200)]
    folds = cv_folds(ids)
    assert folds == cv_folds(ids) and set(folds) == {0, 1, 2, 3, 4}
    assert cv_folds(ids[:10]) == folds[:10]  # an item's fold does not depend on the others
    P = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
    assert not cv_biases(["none", "phan-anh"], P, ["none", "phan-anh", "none"]).any()
    moved = cv_biases(["none", "phan-anh"], P, ["none", "phan-anh", "phan-anh"])
    assert moved[0] == 0 and moved[1] > 0
