"""Demo data for `manage.py seed_demo`: companies, listings and people, written for this field."""
