"""Wagtail admin hooks for listings.

Staff moderate company listings through the "Listing moderation" workflow (see
jobs/migrations/0002_listing_moderation.py): submitted listings appear in the admin's
"Awaiting your review" panel and approving publishes them, so nothing is added here.
"""
