"""Demo data for `make run`: each app's step (`core.extensions.demo`), in the order the apps
are installed. Local use only: every demo user has the documented demo password."""

from collections.abc import Callable

from core import extensions


def demo_loaded() -> bool:
    return any(step.loaded() for step in extensions.demo if step.loaded is not None)


def demo_load(*, echo: Callable[[str], object] = print, synthetic_locations: int = 300) -> None:
    for step in extensions.demo:
        step.load(echo, synthetic_locations=synthetic_locations)
    echo("Demo users: <council>-<role> (e.g. bromley-officer), password 'oversight-demo'.")


def demo_refresh(*, echo: Callable[[str], object] = print) -> None:
    for step in extensions.demo:
        if step.refresh is not None:
            step.refresh(echo)
