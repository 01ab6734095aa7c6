"""The cached prefix dictionary (segment.py) gives the tokenizer the state it would build."""

from __future__ import annotations

from indicatorqa.segment import DICT_PATH, Segmenter

TEXTS = [
    "全面加强实验动物管理，满足生物医药等领域相关单位进行动物实验的重要需求",
    "参训人员岗位能力达标率≥95%",
    "OA系统运行维护及时率",
    "服务对象满意度",
    "2025年12月31日前完成",
    "开展相关检查、调查、培训工作",
]


def _state(seg: Segmenter):
    tk = seg._tk
    cuts = [(seg.tokens(t), seg.tokens(t, search=True), seg.cut(t, hmm=True)) for t in TEXTS]
    return tk.FREQ, tk.total, tk.user_word_tag_tab, seg.words, cuts


def test_cached_prefix_dictionary_is_the_built_one(tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATORQA_CACHE_DIR", str(tmp_path))
    built = Segmenter(DICT_PATH)  # a miss: jieba initialises, our words are added, cache written
    files = list((tmp_path / "jieba").glob("prefix-*.marshal"))
    assert len(files) == 1
    cached = Segmenter(DICT_PATH)  # a hit
    assert _state(cached) == _state(built)
    assert cached.words and cached.words == built.words


def test_other_dictionary_other_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("INDICATORQA_CACHE_DIR", str(tmp_path))
    small = tmp_path / "dict.txt"
    small.write_text("动物实验 50 n\n岗位能力达标率 n\n", "utf-8")
    a = Segmenter(small)
    b = Segmenter(small)
    assert a.words == b.words == ["动物实验", "岗位能力达标率"]
    assert "岗位能力达标率" in b.tokens("参训人员岗位能力达标率")
    assert len(list((tmp_path / "jieba").glob("prefix-*.marshal"))) == 1
    small.write_text("动物实验 50 n\n", "utf-8")
    c = Segmenter(small)
    assert c.words == ["动物实验"]
    assert len(list((tmp_path / "jieba").glob("prefix-*.marshal"))) == 2
