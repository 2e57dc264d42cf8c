"""The weekly availability picker: parts of each day that a thumb can tick, and their
conversion to and from the API's `{day, start, end}` windows (in the profile's timezone).

Ticked blocks become windows, adjacent blocks on one day joined into one window. Saved
windows become the blocks they overlap; where they do not fall on block edges, `exact`
says so, and the page keeps the saved windows as they are unless the person changes the
ticks (`keep_or_replace`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.core.profiles.fields import minutes
from services.core.vocabulary import DAYS

DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


@dataclass(frozen=True)
class Block:
    """A part of the day: its code, its name, when it runs (minutes) and in words."""

    code: str
    name: str
    start: int
    end: int
    hours: str


# The whole day is covered, so that every saved window touches at least one block.
BLOCKS: tuple[Block, ...] = (
    Block("early", "Early hours", 0, 6 * 60, "midnight to 6 am"),
    Block("morning", "Morning", 6 * 60, 12 * 60, "6 am to noon"),
    Block("afternoon", "Afternoon", 12 * 60, 17 * 60, "noon to 5 pm"),
    Block("evening", "Evening", 17 * 60, 22 * 60, "5 pm to 10 pm"),
    Block("night", "Night", 22 * 60, 24 * 60, "10 pm to midnight"),
)
BLOCK_BY_CODE = {block.code: block for block in BLOCKS}

# A ticked block as the form sends it: "mon-evening".
BlockKey = tuple[str, str]
Window = dict[str, str]


def clock(total: int) -> str:
    """'HH:MM' for minutes since midnight (1440 is '24:00', the day's end)."""
    return f"{total // 60:02d}:{total % 60:02d}"


def block_label(day: str, block: Block) -> str:
    """What a screen reader says for one checkbox: 'Monday evening (5 pm to 10 pm)'."""
    return f"{DAY_NAMES[day]} {block.name.lower()} ({block.hours})"


def parse_block(value: str) -> BlockKey | None:
    """A ticked checkbox's value ('mon-evening') as (day, block), or None if unknown."""
    day, _, code = value.partition("-")
    if day in DAY_NAMES and code in BLOCK_BY_CODE:
        return day, code
    return None


def encode_blocks(blocks: Iterable[BlockKey]) -> str:
    """Blocks as one short text for a hidden field."""
    return ",".join(f"{day}-{code}" for day, code in sort_blocks(blocks))


def decode_blocks(text: str) -> set[BlockKey]:
    """The blocks in a hidden field's text (unknown parts are dropped)."""
    found = (parse_block(part.strip()) for part in text.split(","))
    return {key for key in found if key is not None}


def sort_blocks(blocks: Iterable[BlockKey]) -> list[BlockKey]:
    """Blocks in the week's order."""
    order = {code: index for index, code in enumerate(BLOCK_BY_CODE)}
    return sorted(set(blocks), key=lambda key: (DAYS.index(key[0]), order[key[1]]))


def blocks_to_windows(blocks: Iterable[BlockKey]) -> list[Window]:
    """The API's windows for ticked blocks: one window per run of adjacent blocks a day."""
    windows: list[Window] = []
    chosen = set(blocks)
    for day in DAYS:
        run: tuple[int, int] | None = None
        for block in BLOCKS:
            if (day, block.code) not in chosen:
                continue
            if run is not None and run[1] == block.start:
                run = (run[0], block.end)
                continue
            if run is not None:
                windows.append({"day": day, "start": clock(run[0]), "end": clock(run[1])})
            run = (block.start, block.end)
        if run is not None:
            windows.append({"day": day, "start": clock(run[0]), "end": clock(run[1])})
    return windows


def windows_to_blocks(windows: Iterable[Mapping[str, str]]) -> set[BlockKey]:
    """The blocks that saved windows overlap (a window touching a block's edge does not)."""
    found: set[BlockKey] = set()
    for window in windows:
        start, end = minutes(window["start"]), minutes(window["end"])
        for block in BLOCKS:
            if start < block.end and end > block.start:
                found.add((str(window["day"]), block.code))
    return found


def _normal(windows: Iterable[Mapping[str, str]]) -> list[tuple[str, int, int]]:
    # Windows joined where they meet, so that two ways of writing the same times compare
    # equal.
    merged: list[tuple[str, int, int]] = []
    ordered = sorted(
        ((str(w["day"]), minutes(w["start"]), minutes(w["end"])) for w in windows),
        key=lambda item: (DAYS.index(item[0]), item[1], item[2]),
    )
    for day, start, end in ordered:
        if merged and merged[-1][0] == day and start <= merged[-1][2]:
            merged[-1] = (day, merged[-1][1], max(merged[-1][2], end))
        else:
            merged.append((day, start, end))
    return merged


def exact(windows: Iterable[Mapping[str, str]]) -> bool:
    """Whether saved windows are exactly whole blocks (so the ticks say all there is)."""
    saved = list(windows)
    return _normal(saved) == _normal(blocks_to_windows(windows_to_blocks(saved)))


def encode_windows(windows: Iterable[Mapping[str, str]]) -> str:
    """Saved windows as one short text for a hidden field: 'mon 09:30-11:00,...'."""
    return ",".join(f"{w['day']} {w['start']}-{w['end']}" for w in windows)


def decode_windows(text: str) -> list[Window]:
    """Windows from a hidden field's text; parts that cannot be read are dropped (the
    schema validates what is left)."""
    windows: list[Window] = []
    for part in text.split(","):
        day, _, times = part.strip().partition(" ")
        start, _, end = times.partition("-")
        if day in DAY_NAMES and start and end:
            windows.append({"day": day, "start": start, "end": end})
    return windows


def keep_or_replace(
    ticked: Iterable[BlockKey], kept_windows: list[Window], kept_blocks: set[BlockKey]
) -> list[Window]:
    """The windows to save: the saved ones as they were when the ticks are the ones shown
    for them, else the ticked blocks."""
    chosen = set(ticked)
    if kept_windows and chosen == kept_blocks:
        return kept_windows
    return blocks_to_windows(chosen)
