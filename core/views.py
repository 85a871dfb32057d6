"""Serving of uploaded files: images and audio inline with a strict type, the rest as a download."""

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404

from .access import public

INLINE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    # Audio for transcription tasks plays in an <audio> element on our pages.
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".m4a": "audio/mp4",
    ".webm": "audio/webm",
}


@public
def serve_media(request, path: str):
    """Never lets an upload run as HTML or script on our origin (no SVG, no sniffing, sandboxed)."""
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404("No such file.")
    suffix = target.suffix.lower()
    content_type = INLINE_TYPES.get(suffix)
    response = FileResponse(target.open("rb"))
    if content_type:
        response["Content-Type"] = content_type
    else:
        # Anything but a known raster image or audio file is a download: never HTML, SVG or
        # script.
        response["Content-Type"] = "application/octet-stream"
        response["Content-Disposition"] = f'attachment; filename="{target.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
