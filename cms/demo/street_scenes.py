"""Small street-scene pictures for the demo's bounding-box project, drawn with Pillow.

Each scene is a road seen from a dashcam: sky, buildings, pavement, lane markings, and a few
cars, pedestrians and bicycles drawn from simple shapes. The same number always draws the
same picture, and every object's box is known, so the gold answers are exact.
"""

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw

WIDTH = 480
HEIGHT = 320
HORIZON = 130
CAR_COLOURS = ("#c0392b", "#2e86c1", "#f1c40f", "#7f8c8d", "#1e8449", "#ecf0f1", "#34495e")
CLOTHES = ("#8e44ad", "#d35400", "#16a085", "#2c3e50", "#c0392b", "#2980b9")
SKIN = ("#f1c27d", "#c68642", "#8d5524", "#e0ac69")


@dataclass(frozen=True)
class Box:
    label: str
    x: int
    y: int
    w: int
    h: int

    def as_answer(self) -> dict:
        """The box as fractions of the picture, the regions interface's answer shape."""
        return {
            "x": round(self.x / WIDTH, 4),
            "y": round(self.y / HEIGHT, 4),
            "w": round(self.w / WIDTH, 4),
            "h": round(self.h / HEIGHT, 4),
            "label": self.label,
        }


def _background(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HORIZON), fill=rng.choice(("#aed6f1", "#d6eaf8", "#fdebd0")))
    x = 0
    while x < WIDTH:
        width = rng.randint(50, 90)
        top = rng.randint(35, 95)
        shade = rng.choice(("#b2babb", "#a9cce3", "#d5dbdb", "#c39bd3", "#e59866"))
        draw.rectangle((x, top, x + width - 4, HORIZON), fill=shade)
        for wy in range(top + 8, HORIZON - 10, 16):
            for wx in range(x + 6, x + width - 12, 14):
                draw.rectangle((wx, wy, wx + 6, wy + 8), fill="#f7f9f9")
        x += width
    draw.rectangle((0, HORIZON, WIDTH, HORIZON + 24), fill="#d5d8dc")  # far pavement
    draw.rectangle((0, HORIZON + 24, WIDTH, HEIGHT - 40), fill="#566573")  # road
    draw.rectangle((0, HEIGHT - 40, WIDTH, HEIGHT), fill="#d5d8dc")  # near pavement
    lane_y = (HORIZON + 24 + HEIGHT - 40) // 2
    for lx in range(10, WIDTH, 60):
        draw.rectangle((lx, lane_y - 2, lx + 30, lane_y + 2), fill="#fdfefe")


def _car(draw: ImageDraw.ImageDraw, x: int, base: int, scale: float, colour: str) -> Box:
    w = int(110 * scale)
    h = int(48 * scale)
    top = base - h
    roof = top + int(h * 0.05)
    draw.rounded_rectangle((x, top + h * 0.4, x + w, base - h * 0.12), radius=6, fill=colour)
    draw.polygon(
        [
            (x + w * 0.2, top + h * 0.42),
            (x + w * 0.32, roof),
            (x + w * 0.7, roof),
            (x + w * 0.85, top + h * 0.42),
        ],
        fill=colour,
    )
    draw.polygon(
        [
            (x + w * 0.27, top + h * 0.4),
            (x + w * 0.35, roof + h * 0.1),
            (x + w * 0.66, roof + h * 0.1),
            (x + w * 0.78, top + h * 0.4),
        ],
        fill="#d6eaf8",
    )
    r = int(11 * scale)
    for cx in (x + w * 0.24, x + w * 0.76):
        draw.ellipse((cx - r, base - 2 * r, cx + r, base), fill="#17202a")
        draw.ellipse((cx - r / 2, base - 1.5 * r, cx + r / 2, base - r / 2), fill="#aab7b8")
    return Box("car", x, top, w, h)


def _pedestrian(
    draw: ImageDraw.ImageDraw, x: int, base: int, scale: float, rng: random.Random
) -> Box:
    h = int(62 * scale)
    w = int(22 * scale)
    head = int(6 * scale)
    cx = x + w // 2
    top = base - h
    draw.ellipse((cx - head, top, cx + head, top + 2 * head), fill=rng.choice(SKIN))
    body_top = top + 2 * head
    draw.rounded_rectangle(
        (x + w * 0.2, body_top, x + w * 0.8, body_top + h * 0.4), radius=3, fill=rng.choice(CLOTHES)
    )
    leg = max(2, int(3 * scale))
    hip = body_top + h * 0.4
    draw.line((cx - 2, hip, x + 2, base), fill="#1c2833", width=leg)
    draw.line((cx + 2, hip, x + w - 2, base), fill="#1c2833", width=leg)
    draw.line((x + w * 0.2, body_top + 3, x, body_top + h * 0.32), fill="#1c2833", width=leg)
    draw.line((x + w * 0.8, body_top + 3, x + w, body_top + h * 0.32), fill="#1c2833", width=leg)
    return Box("pedestrian", x, top, w, h)


def _bicycle(draw: ImageDraw.ImageDraw, x: int, base: int, scale: float, rng: random.Random) -> Box:
    w = int(60 * scale)
    r = int(13 * scale)
    h = int(64 * scale)
    top = base - h
    frame = max(2, int(3 * scale))
    back = (x + r, base - r)
    front = (x + w - r, base - r)
    for cx, cy in (back, front):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline="#17202a", width=frame)
    seat = (x + w * 0.38, base - 2.3 * r)
    bar = (x + w * 0.72, base - 2.4 * r)
    draw.line((back, seat, bar, front), fill="#c0392b", width=frame)
    draw.line((back, (x + w * 0.5, base - r), bar), fill="#c0392b", width=frame)
    # The rider, inside the same box: a bicycle box includes the person riding it.
    head = int(6 * scale)
    hx = x + w * 0.55
    draw.ellipse((hx - head, top, hx + head, top + 2 * head), fill=rng.choice(SKIN))
    draw.line((hx, top + 2 * head, seat[0], seat[1] - 2), fill=rng.choice(CLOTHES), width=frame + 2)
    draw.line((hx, top + 3 * head, bar[0], bar[1]), fill="#1c2833", width=frame)
    return Box("bicycle", x, top, w, h)


def street_scene(number: int) -> tuple[bytes, list[Box]]:
    """The PNG of scene `number` and the boxes of the objects drawn in it, back to front."""
    rng = random.Random(f"loopwork-street-{number}")  # noqa: S311 - repeatable pictures, not secrets
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    _background(draw, rng)
    boxes: list[Box] = []
    road_top = HORIZON + 24
    road_bottom = HEIGHT - 40
    lanes = sorted(rng.sample(range(road_top + 40, road_bottom + 1, 20), rng.randint(1, 3)))
    for base in lanes:  # far lanes first, so near objects are drawn over them
        scale = 0.55 + 0.6 * (base - road_top) / (road_bottom - road_top)
        x = rng.randint(0, WIDTH - int(110 * scale))
        boxes.append(_car(draw, x, base, scale, rng.choice(CAR_COLOURS)))
    if rng.random() < 0.7:
        base = road_bottom - rng.randint(0, 10)
        x = rng.randint(10, WIDTH - 80)
        boxes.append(_bicycle(draw, x, base, 0.95, rng))
    for _ in range(rng.randint(1, 3)):
        near = rng.random() < 0.5
        base = HEIGHT - rng.randint(4, 14) if near else road_top - rng.randint(0, 6)
        scale = 1.1 if near else 0.7
        x = rng.randint(5, WIDTH - 30)
        boxes.append(_pedestrian(draw, x, base, scale, rng))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue(), boxes
