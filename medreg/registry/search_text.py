"""Search keys for Chinese names: the text itself, its full pinyin and its pinyin initials,
so 浙江 is found by "浙江", "zhejiang" and "zj"."""

from pypinyin import Style, lazy_pinyin


def search_text_for(*parts: str) -> str:
    """One lower-case string holding every part and the pinyin forms of the Chinese ones."""
    words: list[str] = []
    for part in parts:
        if not part:
            continue
        words.append(part.lower())
        if any("\u4e00" <= char <= "\u9fff" for char in part):
            words.append("".join(lazy_pinyin(part)).lower())
            words.append("".join(lazy_pinyin(part, style=Style.FIRST_LETTER)).lower())
    return " ".join(words)
