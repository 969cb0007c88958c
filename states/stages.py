"""The stages a candidate moves through (PROCEDURE.md, Stages)."""

from enum import StrEnum


class Stage(StrEnum):
    IDENTIFIED = "identified"  # quần chúng ưu tú, on the branch's list (S0)
    MENTORED = "mentored"  # an official member assigned to help (S1)
    TRAINING_CLASS = "training_class"  # lớp bồi dưỡng nhận thức về Đảng (S2)
    VETTED = "vetted"  # application, history verified; introducers, comments, votes (S3-S9)
    ADMITTED = "admitted"  # admission decision issued, ceremony pending (S10)
    PROBATIONARY = "probationary"  # đảng viên dự bị, 12 months from the ceremony (S11-S14)
    OFFICIAL = "official"  # đảng viên chính thức (S15)
    DROPPED = "dropped"  # taken off the list, not admitted, or removed (xóa tên) (S16)


TERMINAL: frozenset[Stage] = frozenset({Stage.OFFICIAL, Stage.DROPPED})
ACTIVE: tuple[Stage, ...] = tuple(s for s in Stage if s not in TERMINAL)
