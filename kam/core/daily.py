"""The steps of ``kam daily`` (the periodic work: snapshots, alerts, later expiries and
reminders), contributed by each app in its own ``daily.py``:

    from kam.core.daily import daily_step

    @daily_step("radar.snapshot", order=10)
    def take_snapshot(*, as_of: date, force: bool) -> dict: ...

A step is idempotent for its day: run twice, it creates nothing the second time. It returns a
small JSON-able summary of what it did. ``daily_run_perform`` (kam/core/services.py) runs them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.utils.module_loading import autodiscover_modules

StepFunc = Callable[..., dict]


@dataclass(frozen=True)
class Step:
    name: str
    order: int
    run: StepFunc


_STEPS: dict[str, Step] = {}


def daily_step(name: str, *, order: int = 100) -> Callable[[StepFunc], StepFunc]:
    """Register ``func(*, as_of, force) -> dict`` as the step ``name``; lower orders run first."""

    def register(func: StepFunc) -> StepFunc:
        _STEPS[name] = Step(name, order, func)
        return func

    return register


def daily_steps() -> list[Step]:
    """Every app's steps, in order (importing each installed app's ``daily`` module)."""
    autodiscover_modules("daily")
    return sorted(_STEPS.values(), key=lambda s: (s.order, s.name))


def run_step(step: Step, *, as_of: date, force: bool) -> dict:
    return step.run(as_of=as_of, force=force)
