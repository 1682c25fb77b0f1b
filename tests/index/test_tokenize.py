from index.tokenize import bigrams, words


def test_policy_terms_stay_whole() -> None:
    tokens = words("小规模纳税人的六税两费还能减半吗?出口信用保险怎么办")
    assert "六税两费" in tokens and "小规模纳税人" in tokens and "出口信用保险" in tokens


def test_function_words_and_punctuation_dropped() -> None:
    tokens = words("我们想问一下,能不能补贴?")
    assert "," not in tokens and "?" not in tokens and "我们" not in tokens
    assert "补贴" in tokens


def test_bigrams_overlap_and_keep_latin_words() -> None:
    assert bigrams("信保费") == ["信保", "保费"]
    assert bigrams("REITs项目") == ["reit", "项目"]  # Latin words stemmed (index/tokenize.stem)
