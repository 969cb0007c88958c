"""Names folded for search: lower case, no diacritics, đ -> d ("Nguyễn Thị Hoà" -> "nguyen thi hoa")."""

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=4096)  # every step writes the candidate row, name included, and names repeat
def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.lower().split())
