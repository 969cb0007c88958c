"""The password policy (issue 11): a minimum length and a list of common passwords, nothing else.

No composition rules (a digit, a capital, a symbol): NIST SP 800-63B §5.1.1.2 advises against them, since they
push people to predictable patterns; length and a block-list of known passwords are what it asks for.
"""

import unicodedata
from functools import cache
from pathlib import Path

from states.errors import ProcedureError

COMMON_PASSWORDS = Path(__file__).resolve().parent / "common_passwords.txt"


class WeakPassword(ProcedureError):
    """A password the policy refuses; `rule` names the rule (password_too_short, password_too_common)."""

    def __init__(self, rule: str, message_en: str, message_vi: str) -> None:
        super().__init__(f"the password is refused ({rule}): {message_en}")
        self.rule, self.message_en, self.message_vi = rule, message_en, message_vi

    def as_dict(self) -> dict[str, str | None]:
        return {"rule": self.rule, "field": "password", "ref": "web.min_password_length" if
                self.rule == "password_too_short" else "workflow/common_passwords.txt", "source": "ketnap policy",
                "message_vi": self.message_vi, "message_en": self.message_en}


def _folded(password: str) -> str:
    return unicodedata.normalize("NFC", password).strip().casefold()


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(_folded(line) for line in lines if line.strip() and not line.startswith("#"))


def check_password(password: str, min_length: int) -> None:
    """Refuse a password that is too short (counted in characters, after NFC) or on the common list.

    Raises:
        WeakPassword.
    """
    length = len(unicodedata.normalize("NFC", password))
    if length < min_length:
        raise WeakPassword("password_too_short", f"it has {length} characters; at least {min_length} are needed",
                           f"Mật khẩu có {length} ký tự; cần ít nhất {min_length} ký tự.")
    if _folded(password) in common_passwords():
        raise WeakPassword("password_too_common", "it is on the list of common passwords; choose another",
                           "Mật khẩu nằm trong danh sách mật khẩu phổ biến; hãy chọn mật khẩu khác.")
