"""Domain segmentation: budget terms stay whole, on a private jieba tokenizer."""

from __future__ import annotations

import pytest

from indicatorqa.segment import DICT_PATH, Segmenter, get_segmenter, read_user_dict


@pytest.fixture(scope="module")
def seg():
    return get_segmenter()


# The segmentation of key phrases, spelled out: this is what BM25 and the reviewers see.
EXPECTED = {
    "服务对象满意度": ["服务对象满意度"],
    "社会公众或服务对象满意度": ["社会公众或服务对象满意度"],
    "资金拨付及时率": ["资金拨付", "及时率"],
    "科普基地接待人次": ["科普基地", "接待人次"],
    "培训人次": ["培训人次"],
    "预算执行率": ["预算执行率"],
    "按照预算执行率": ["按照", "预算执行率"],
    "网络安全等级保护": ["网络安全等级保护"],
    "网络安全等级保护测评": ["网络安全", "等级保护测评"],
    "设备采购台套数": ["设备采购", "台套", "数"],
    "绩效目标": ["绩效目标"],
    "三级指标": ["三级指标"],
    "社会效益指标": ["社会效益指标"],
    "可持续影响": ["可持续影响"],
    "媒体报道次数": ["媒体报道", "次数"],
    "互联网舆情监测报告": ["互联网", "舆情监测报告"],
    "补贴资金足额发放": ["补贴资金", "足额发放"],
    "项目资金使用合规率": ["项目", "资金使用合规率"],
    "高新技术企业认定数量": ["高新技术", "企业认定", "数量"],
    "开展结题审计政策培训": ["开展", "结题审计", "政策", "培训"],
    "漏洞整改率": ["漏洞整改率"],
}


@pytest.mark.parametrize("text,expected", list(EXPECTED.items()))
def test_key_phrases(seg, text, expected):
    assert seg.cut(text) == expected


@pytest.mark.parametrize(
    "text,term",
    [
        ("10个工作日内完成", "工作日"),
        ("培训经费不超过15万元", "万元"),
        ("采购实验仪器设备20台套", "台套"),
        ("全年科普活动参与人次≥5000人次", "人次"),
    ],
)
def test_units_stay_whole(seg, text, term):
    assert term in seg.cut(text)


def test_every_dictionary_term_is_one_piece(seg):
    entries = read_user_dict(DICT_PATH)
    assert len(entries) >= 600
    broken = [w for w, _, _ in entries if seg.cut(w) != [w]]
    assert broken == []


def test_dictionary_format():
    # 词 词频 词性, one per line, no duplicates: loadable by jieba.load_userdict as well.
    lines = DICT_PATH.read_text(encoding="utf-8").splitlines()
    words = []
    for line in lines:
        parts = line.split(" ")
        assert len(parts) == 3, line
        assert parts[1].isdigit() and int(parts[1]) > 0, line
        assert parts[2].isalpha(), line
        words.append(parts[0])
    assert len(words) == len(set(words))


def test_ordinary_text_is_not_damaged(seg):
    # A frequency in our dictionary never lowers jieba's own: common words still cut normally.
    assert seg.cut("我们提高了工作效率") == ["我们", "提高", "了", "工作效率"]


def test_tokens_normalise_and_drop_punctuation(seg):
    assert seg.tokens("ＯＡ系统，运行稳定率≥99％") == ["oa系统", "运行稳定率", "99"]
    search = seg.tokens("资金拨付及时率", search=True)
    assert {"资金", "拨付", "资金拨付", "及时率"} <= set(search)


def test_private_tokenizer_leaves_global_jieba_alone(seg):
    import jieba

    assert seg._tk is not jieba.dt
    assert jieba.dt.FREQ.get("科普基地") is None


def test_quiet_init_and_project_cache(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("INDICATORQA_CACHE_DIR", str(tmp_path))
    s = Segmenter()
    assert s.cut("资金拨付") == ["资金拨付"]
    assert list((tmp_path / "jieba").glob("jieba-*.cache"))
    out, err = capfd.readouterr()
    assert "prefix dict" not in err and "Loading model" not in err
    # the second build reads that cache
    assert Segmenter().cut("台套") == ["台套"]
