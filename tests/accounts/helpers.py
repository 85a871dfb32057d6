"""Small helpers shared by the accounts tests."""

import io
import re

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_file(name="logo.png", size=(8, 8)) -> SimpleUploadedFile:
    """A real, tiny PNG image."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (59, 63, 196)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def svg_file(name="logo.svg") -> SimpleUploadedFile:
    body = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    return SimpleUploadedFile(name, body, content_type="image/svg+xml")


def html_file(name="logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"<html><script>alert(1)</script></html>", "image/png")


def link_in_last_email(pattern: str) -> str:
    """The first URL path in the last email sent that matches the pattern."""
    body = mail.outbox[-1].body
    match = re.search(r"https?://[^/\s]+(" + pattern + r")", body)
    assert match, body
    return match.group(1)
