"""Checks other apps add before a learner starts an attempt (a class's closed assignment),
so the quiz never imports them. Each gate returns a message refusing the start, or ""."""

from collections.abc import Callable

_gates: list[Callable] = []


def register(gate: Callable) -> None:
    if gate not in _gates:
        _gates.append(gate)


def refusal(user, lesson) -> str:
    for gate in _gates:
        message = gate(user, lesson)
        if message:
            return message
    return ""
