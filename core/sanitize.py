"""Content from companies is HTML we did not write: it passes through nh3 before it is shown."""

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}}


def sanitize_html(html: str) -> str:
    """Keep only simple formatting and http(s)/mailto links; drop scripts, styles and handlers."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    ).strip()
