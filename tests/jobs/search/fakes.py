"""An in-memory stand-in for the Elasticsearch client: index writes with external versions."""

from types import SimpleNamespace

from elasticsearch import ConflictError


class FakeElasticsearch:
    """Keeps documents by id with their version, refusing an older or equal external version
    the way Elasticsearch does; records every call."""

    def __init__(self):
        self.documents: dict[str, dict] = {}
        self.versions: dict[str, int] = {}
        self.calls: list[tuple] = []

    def index(self, *, index, id, document, version, version_type):
        self.calls.append(("index", index, id, version, version_type, document.get("visible")))
        assert version_type == "external"
        if id in self.versions and self.versions[id] >= version:
            raise ConflictError("version_conflict", meta=SimpleNamespace(status=409), body={})
        self.versions[id] = version
        self.documents[id] = document
        return {"result": "created"}

    def visible_ids(self) -> set[int]:
        return {int(pk) for pk, doc in self.documents.items() if doc["visible"]}
