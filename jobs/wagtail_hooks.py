"""Wagtail admin hooks for listings.

Staff moderate company listings through the "Listing moderation" workflow (see
jobs/migrations/0002_listing_moderation.py): submitted listings appear in the admin's
"Awaiting your review" panel and approving publishes them, so nothing is added here.
"""

# Qualification tests: snippets, the test-and-questions editor, import/export and grant
# revocation register themselves when their module is imported.
from . import qualification_admin  # noqa: F401
