"""Job search: one service (`service.listing_search`), one result shape, two backends.

`db` serves from the database (PostgreSQL full-text search with trigram typo tolerance, or a
simpler LIKE path on SQLite); `es` serves from Elasticsearch when ELASTICSEARCH_URL is set.
Only this package imports `elasticsearch`.
"""
