"""Durations as people read them, shared by listings, projects and the worker's pages."""


def format_duration(seconds: int) -> str:
    """45 -> "45 s", 80 -> "1 min 20 s", 3900 -> "1 h 5 min"."""
    seconds = max(int(seconds), 1)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest and minutes < 10 else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
