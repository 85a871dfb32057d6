"""Demo companies: invented firms that build AI systems and hire people to keep them honest.

None of these names belongs to a real company; websites use the reserved `.example` domain.
"""

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

LOGO_SIZE = 160
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
)


@dataclass(frozen=True)
class DemoCompany:
    slug: str
    name: str
    description: str
    colour: str  # logo background, dark enough for white initials

    @property
    def website(self) -> str:
        return f"https://{self.slug}.example"

    @property
    def owner_email(self) -> str:
        return f"{self.slug}-owner@example.com"

    @property
    def initials(self) -> str:
        return "".join(word[0] for word in self.name.split()[:2]).upper()


# The first one is the demo company, owned by company@example.com.
COMPANIES = [
    DemoCompany(
        slug="brightloom-labs",
        name="Brightloom Labs",
        description=(
            "Brightloom Labs builds writing and research assistants on large language models. "
            "Our raters read model answers side by side, check facts and tone, and write the "
            "better answer when both fall short; that feedback is what our models learn from."
        ),
        colour="#4338ca",
    ),
    DemoCompany(
        slug="pinewire-vision",
        name="Pinewire Vision",
        description=(
            "Pinewire Vision makes perception datasets for delivery robots and driver "
            "assistance: street scenes, sidewalks and loading docks, labelled frame by frame "
            "with boxes, polygons and tracks."
        ),
        colour="#0f766e",
    ),
    DemoCompany(
        slug="saltmarsh-audio",
        name="Saltmarsh Audio",
        description=(
            "Saltmarsh Audio trains speech recognition for podcasts, call centres and "
            "voice notes in fourteen languages. Transcribers and audio taggers turn messy, "
            "real-world recordings into clean training data."
        ),
        colour="#b45309",
    ),
    DemoCompany(
        slug="harborline-safety",
        name="Harborline Trust & Safety",
        description=(
            "Harborline runs trust and safety operations for marketplaces, dating apps and "
            "community forums. Our moderators review what automated filters are unsure "
            "about, following clear, published policies."
        ),
        colour="#be123c",
    ),
    DemoCompany(
        slug="meridian-query",
        name="Meridian Query Works",
        description=(
            "Meridian Query Works measures search quality for web, shopping and maps search "
            "engines. Raters in forty locales judge whether results answer what people "
            "actually asked, in their language and their country."
        ),
        colour="#1d4ed8",
    ),
    DemoCompany(
        slug="kestrel-feed",
        name="Kestrel Feed Analytics",
        description=(
            "Kestrel Feed Analytics evaluates recommendation systems for social and video "
            "apps: is this post relevant, is this ad appropriate, does this feed feel "
            "repetitive? Our evaluators answer those questions at scale."
        ),
        colour="#7e22ce",
    ),
    DemoCompany(
        slug="lanternfish-support",
        name="Lanternfish Support AI",
        description=(
            "Lanternfish builds AI assistants for customer support teams. When the assistant "
            "is unsure, people step in: our escalation specialists resolve the hard cases and "
            "review the answers the assistant gave on its own."
        ),
        colour="#15803d",
    ),
]

DEMO_COMPANY_SLUG = COMPANIES[0].slug


def _font(size: int) -> ImageFont.ImageFont:
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def logo_png(company: DemoCompany) -> bytes:
    """A small square PNG: the company's initials in white on its colour."""
    image = Image.new("RGB", (LOGO_SIZE, LOGO_SIZE), company.colour)
    draw = ImageDraw.Draw(image)
    draw.text(
        (LOGO_SIZE / 2, LOGO_SIZE / 2),
        company.initials,
        fill="#ffffff",
        font=_font(LOGO_SIZE // 2 - 8),
        anchor="mm",
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
