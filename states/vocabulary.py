"""Closed lists a person types on the command line and a help text lists: education levels and occupational
categories. Plain enums without pydantic, so `ketnap --help` names them without loading the field models
(issue 14); states/fields.py uses and re-exports them."""

from enum import StrEnum


class Education(StrEnum):
    """Ordered from lowest to highest; G3 compares positions in this order."""

    NONE = "none"
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"
    UPPER_SECONDARY = "upper_secondary"
    COLLEGE = "college"
    UNIVERSITY = "university"
    POSTGRADUATE = "postgraduate"

    @property
    def rank(self) -> int:
        return list(Education).index(self)


class Category(StrEnum):
    STUDENT = "student"
    PRIVATE_ENTERPRISE = "private_enterprise"
    STATE_ENTERPRISE = "state_enterprise"
    PUBLIC_SERVANT = "public_servant"
    ARMED_FORCES = "armed_forces"
    FARMER = "farmer"
    WORKER = "worker"
    TEACHER = "teacher"
    HEALTH_WORKER = "health_worker"
    OTHER = "other"
