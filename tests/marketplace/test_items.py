"""Item files (CSV and JSONL) checked row by row, keep or discard, and project media checks."""

import io
import json

import pytest
from PIL import Image

from core.errors import LoopworkError
from marketplace import items as items_module
from marketplace.items import (
    item_upload_create,
    item_upload_discard,
    item_upload_keep,
    items_import,
    parse_file,
    parse_records,
    project_media_upload,
)
from marketplace.models import Item, ItemUpload, Project, ProjectMedia
from tests.factories import CompanyFactory, MembershipFactory
from tests.marketplace.factories import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(company):
    return make_project(company=company, status=Project.Status.DRAFT)


@pytest.fixture
def membership(company):
    return MembershipFactory(company=company, role="owner")


def parse(project, text, name="items.csv"):
    content = text.encode() if isinstance(text, str) else text
    return parse_file(project=project, content=content, file_name=name)


def refused_file(project, content, name, code):
    with pytest.raises(LoopworkError) as caught:
        parse_file(project=project, content=content, file_name=name)
    assert caught.value.code == code
    assert caught.value.field == "file"
    return caught.value


# Parsing


def test_a_good_csv_gives_rows_with_ids_and_gold(project):
    parsed = parse(
        project,
        "id,text,image_url,gold_label\n"
        "r1,Great battery,,\n"
        "r2,,https://example.org/a.png,\n"
        'r3,"Broke, sadly",,negative\n',
    )
    assert parsed.errors == []
    assert parsed.line_count == 3
    assert [row["external_id"] for row in parsed.rows] == ["r1", "r2", "r3"]
    assert parsed.rows[0]["data"] == {"text": "Great battery"}
    assert parsed.rows[1]["data"] == {"image_url": "https://example.org/a.png"}
    assert parsed.rows[2]["is_gold"] is True
    assert parsed.rows[2]["gold_answer"] == {"label": "negative"}
    assert [row["line"] for row in parsed.rows] == [2, 3, 4]


def test_a_csv_gold_column_holds_json(project):
    parsed = parse(project, 'text,gold\nBad,"{""label"": ""negative""}"\nOops,{not json}\n')
    assert parsed.rows[0]["gold_answer"] == {"label": "negative"}
    assert parsed.errors == [
        {"line": 3, "message": 'gold: write the answer as JSON, e.g. {"label": "spam"}.'}
    ]


def test_a_good_jsonl_with_blank_lines(project):
    parsed = parse(
        project,
        '{"text": "One", "id": 7}\n\n{"text": "Two", "gold": {"label": "neutral"}, '
        '"gold_explanation": "Plain fact."}\n',
        name="items.jsonl",
    )
    assert parsed.errors == []
    assert parsed.rows[0]["external_id"] == "7"
    assert parsed.rows[1]["line"] == 3
    assert parsed.rows[1]["gold_explanation"] == "Plain fact."


def test_the_format_is_sniffed_without_a_known_extension(project):
    parsed = parse(project, '{"text": "One"}\n', name="upload")
    assert len(parsed.rows) == 1


def test_bad_rows_are_reported_with_their_line(project):
    parsed = parse(
        project,
        '{"text": "Fine"}\n'
        '{"title": "No text nor image"}\n'
        '{"image_url": "javascript:alert(1)"}\n'
        "{not json\n"
        '{"text": "Gold with a label that does not exist", "gold": {"label": "maybe"}}\n'
        f'{{"text": "{"x" * 25_000}"}}\n'
        "[1, 2]\n",
        name="items.jsonl",
    )
    assert len(parsed.rows) == 1
    lines = [error["line"] for error in parsed.errors]
    assert lines == [2, 3, 4, 5, 6, 7]
    messages = {error["line"]: error["message"] for error in parsed.errors}
    assert messages[4] == "This line is not valid JSON."
    assert messages[5].startswith("gold: ")
    assert messages[7] == "Each row must be an object of fields."


def test_a_row_longer_than_the_limit_is_refused_before_parsing(project, monkeypatch):
    monkeypatch.setattr(items_module, "MAX_ROW_BYTES", 50)
    parsed = parse(project, '{"text": "' + "y" * 60 + '"}\n', name="a.jsonl")
    assert parsed.errors[0]["message"].startswith("The row is longer than")


def test_a_csv_row_with_extra_cells_is_bad(project):
    parsed = parse(project, "text\nfine\nextra,cell\n")
    assert parsed.errors == [
        {"line": 3, "message": "The row has more cells than the header has columns."}
    ]


def test_a_utf8_bom_is_accepted(project):
    parsed = parse(project, "\ufeffid,text\nr1,Grüße\n".encode())
    assert parsed.rows[0]["external_id"] == "r1"
    assert parsed.rows[0]["data"] == {"text": "Grüße"}


def test_empty_binary_and_non_utf8_files_are_refused(project):
    refused_file(project, b"", "a.csv", "empty_file")
    refused_file(project, b"  \n\n", "a.csv", "empty_file")
    refused_file(project, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a.csv", "binary_file")
    refused_file(project, "text\ncafé\n".encode("latin-1"), "a.csv", "invalid_encoding")


def test_huge_files_and_too_many_rows_are_refused(project, monkeypatch):
    monkeypatch.setattr(items_module, "MAX_UPLOAD_BYTES", 100)
    refused_file(project, b"text\n" + b"a\n" * 100, "a.csv", "file_too_large")
    monkeypatch.setattr(items_module, "MAX_UPLOAD_BYTES", 10_000)
    monkeypatch.setattr(items_module, "MAX_ROWS", 3)
    refused_file(project, b"text\n" + b"a\n" * 4, "a.csv", "too_many_rows")
    refused_file(project, b'{"text": "a"}\n' * 4, "a.jsonl", "too_many_rows")


def test_a_header_without_names_is_refused(project):
    refused_file(project, b"text,,text\nx,y,z\n", "a.csv", "invalid_csv")


# Keeping or discarding an upload


def upload(project, membership, text, name="items.csv"):
    return item_upload_create(
        project=project,
        membership=membership,
        user=membership.user,
        file_name=name,
        content=text.encode(),
    )


def test_an_upload_is_pending_until_kept_and_keeps_only_good_rows(project, membership):
    pending = upload(project, membership, "id,text\nr1,One\nr2,\nr3,Three\n")
    assert pending.status == ItemUpload.Status.PENDING
    assert pending.line_count == 3
    assert pending.errors == [{"line": 3, "message": "text: Give a text, an image URL, or both."}]
    assert not Item.objects.exists()

    kept = item_upload_keep(upload=pending, membership=membership)

    assert kept.status == ItemUpload.Status.KEPT
    assert kept.created_items == 2
    assert list(Item.objects.values_list("external_id", flat=True)) == ["r1", "r3"]
    with pytest.raises(LoopworkError) as caught:
        item_upload_keep(upload=kept, membership=membership)
    assert caught.value.code == "upload_decided"
    assert Item.objects.count() == 2


def test_discard_all_creates_nothing(project, membership):
    pending = upload(project, membership, "text\nOne\nTwo\n")
    discarded = item_upload_discard(upload=pending, membership=membership)
    assert discarded.status == ItemUpload.Status.DISCARDED
    assert not Item.objects.exists()
    with pytest.raises(LoopworkError):
        item_upload_keep(upload=discarded, membership=membership)
    assert not Item.objects.exists()


def test_reviewers_cannot_upload_or_decide(project, company, membership):
    reviewer = MembershipFactory(company=company, role="reviewer")
    with pytest.raises(LoopworkError) as caught:
        upload(project, reviewer, "text\nOne\n")
    assert caught.value.status == 403
    pending = upload(project, membership, "text\nOne\n")
    with pytest.raises(LoopworkError):
        item_upload_keep(upload=pending, membership=reviewer)
    assert not Item.objects.exists()


def test_finished_projects_take_no_items(company, membership):
    project = make_project(company=company, status=Project.Status.CANCELLED)
    with pytest.raises(LoopworkError) as caught:
        upload(project, membership, "text\nOne\n")
    assert caught.value.code == "project_final"


def test_api_import_all_or_nothing(project, membership):
    parsed = parse_records(project=project, records=[{"text": "One"}, {"nope": 1}])
    assert parsed.errors[0]["line"] == 2
    created = items_import(
        project=project, membership=membership, parsed=parsed, all_or_nothing=True
    )
    assert created == 0
    assert not Item.objects.exists()
    created = items_import(
        project=project, membership=membership, parsed=parsed, all_or_nothing=False
    )
    assert created == 1


# Media


def image_bytes(kind="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format=kind)
    return buffer.getvalue()


WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x10\x00\x00\x00\x01\x00\x01\x00" + b"\x00" * 24


@pytest.mark.parametrize(
    ("content", "name", "content_type", "suffix"),
    [
        (image_bytes("PNG"), "cat.png", "image/png", ".png"),
        (image_bytes("JPEG"), "cat.jpeg", "image/jpeg", ".jpg"),
        (image_bytes("GIF"), "cat.gif", "image/gif", ".gif"),
        (image_bytes("WEBP"), "cat.webp", "image/webp", ".webp"),
        (WAV, "clip.wav", "audio/wav", ".wav"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 32, "clip.mp3", "audio/mpeg", ".mp3"),
        (b"OggS\x00\x02" + b"\x00" * 32, "clip.ogg", "audio/ogg", ".ogg"),
        (b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 32, "clip.m4a", "audio/mp4", ".m4a"),
    ],
)
def test_media_of_each_kind_is_stored_by_its_detected_type(
    project, membership, settings, tmp_path, content, name, content_type, suffix
):
    settings.MEDIA_ROOT = tmp_path
    media = project_media_upload(
        project=project, membership=membership, file_name=name, content=content
    )
    assert media.content_type == content_type
    assert media.file.name.endswith(suffix)
    assert media.file.url.startswith(f"/media/projects/{project.pk}/")
    assert media.size == len(content)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.png"),
        (b"<html><script>alert(1)</script></html>", "a.png"),
        (b"<html><body>hi</body></html>", "a.mp3"),
        (b"GIF89a<script>alert(1)</script>", "a.gif"),
        (b"\x89PNG\r\n\x1a\nnot really", "a.png"),
        (b"", "a.png"),
    ],
)
def test_disguised_or_broken_media_is_refused(
    project, membership, settings, tmp_path, content, name
):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(LoopworkError) as caught:
        project_media_upload(
            project=project, membership=membership, file_name=name, content=content
        )
    assert caught.value.field == "file"
    assert not ProjectMedia.objects.exists()


def test_media_too_large_is_refused(project, membership, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(items_module, "MAX_IMAGE_BYTES", 10)
    with pytest.raises(LoopworkError) as caught:
        project_media_upload(
            project=project, membership=membership, file_name="a.png", content=image_bytes()
        )
    assert caught.value.code == "file_too_large"


def test_another_companys_member_cannot_upload_media(project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stranger = MembershipFactory(company=CompanyFactory())
    with pytest.raises(LoopworkError) as caught:
        project_media_upload(
            project=project, membership=stranger, file_name="a.png", content=image_bytes()
        )
    assert caught.value.status == 404
    assert json.dumps(caught.value.as_json())
