"""Items from CSV and JSONL files or API calls, checked row by row; project media uploads.

A row is the item's data for the project's interface plus optional reserved keys: `id` (the
company's own id, kept as external_id), `gold` (the expected answer as JSON, which makes the
row a gold item), `gold_label` (CSV shortcut for classification) and `gold_explanation`.
Every row passes the interface's clean_item, every gold answer its clean_answer, so a bad
row is reported with its line number and never becomes an item.

An uploaded file becomes a pending ItemUpload; the company then keeps the good rows or
discards everything. The API imports at once, optionally all or nothing.
"""

import csv
import io
import json
import logging
import uuid
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from accounts.models import Membership, User
from annotation.base import Interface
from annotation.registry import get_interface
from core.errors import LoopworkError

from .models import Item, ItemUpload, Project, ProjectMedia
from .projects import FINAL_STATES, LIVE_STATES, project_escrow_top_up, require_manager

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ROW_BYTES = 100_000
MAX_EXTERNAL_ID = 200
MAX_GOLD_EXPLANATION = 2000
BULK_BATCH = 1000
RESERVED_KEYS = ("id", "gold", "gold_label", "gold_explanation")

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_AUDIO_BYTES = 50 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000
IMAGE_FORMATS = {
    "PNG": ("image/png", ".png"),
    "JPEG": ("image/jpeg", ".jpg"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
M4A_BRANDS = (b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"dash")


@dataclass
class ParsedRows:
    """Good rows ready to become items, bad rows with their line and reason."""

    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    line_count: int = 0

    def add_error(self, line: int, message: str) -> None:
        self.errors.append({"line": line, "message": message})


def _file_error(message: str, code: str) -> LoopworkError:
    return LoopworkError(message, code=code, field="file", status=422)


def _require_open(project: Project) -> None:
    if project.status in FINAL_STATES:
        raise LoopworkError(
            f"This project is {project.get_status_display().lower()}; it takes no more items.",
            code="project_final",
            status=409,
        )


def decode_text(content: bytes) -> str:
    """The file as text: UTF-8 with or without a byte-order mark; binary files are refused."""
    if not content.strip():
        raise _file_error("The file is empty.", "empty_file")
    if len(content) > MAX_UPLOAD_BYTES:
        raise _file_error(
            f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; split it.",
            "file_too_large",
        )
    if b"\x00" in content[:65536]:
        raise _file_error("This is a binary file; upload CSV or JSONL text.", "binary_file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _file_error(
            "The file is not UTF-8 text; save it as UTF-8 and upload it again.", "invalid_encoding"
        ) from error
    if not text.strip():
        raise _file_error("The file is empty.", "empty_file")
    return text


def _describe(error: LoopworkError) -> str:
    if error.field and not error.message.startswith(f"{error.field}:"):
        return f"{error.field}: {error.message}"
    return error.message


def clean_row(*, interface: Interface, schema: dict, raw, line: int) -> dict:
    """One row checked by the interface: {"line", "data", "external_id", "is_gold", ...}."""
    if not isinstance(raw, dict):
        raise LoopworkError("Each row must be an object of fields.", code="invalid_item")
    raw = dict(raw)
    external_id = raw.pop("id", "")
    external_id = "" if external_id is None else str(external_id).strip()
    if len(external_id) > MAX_EXTERNAL_ID:
        raise LoopworkError(
            f"id: keep ids to {MAX_EXTERNAL_ID} characters.", code="invalid_item", field="id"
        )
    gold = raw.pop("gold", None)
    gold_label = raw.pop("gold_label", None)
    explanation = raw.pop("gold_explanation", "") or ""
    if gold is None and gold_label not in (None, ""):
        gold = {"labels": [gold_label]} if schema.get("multiple") else {"label": gold_label}
    if not isinstance(explanation, str) or len(explanation) > MAX_GOLD_EXPLANATION:
        raise LoopworkError(
            f"gold_explanation: text of at most {MAX_GOLD_EXPLANATION} characters.",
            code="invalid_item",
            field="gold_explanation",
        )
    data = interface.clean_item(raw, schema)
    gold_answer = None
    if gold is not None:
        try:
            gold_answer = interface.clean_answer(gold, schema, data)
        except LoopworkError as error:
            raise LoopworkError(
                f"gold: {error.message}", code="invalid_gold", field="gold"
            ) from error
    return {
        "line": line,
        "data": data,
        "external_id": external_id,
        "is_gold": gold_answer is not None,
        "gold_answer": gold_answer,
        "gold_explanation": explanation.strip(),
    }


def _check_row(parsed: ParsedRows, interface, schema, raw, line: int) -> None:
    try:
        parsed.rows.append(clean_row(interface=interface, schema=schema, raw=raw, line=line))
    except LoopworkError as error:
        parsed.add_error(line, _describe(error))


def _too_many_rows() -> LoopworkError:
    return _file_error(
        f"The file has more than {MAX_ROWS:,} rows; split it into several uploads.", "too_many_rows"
    )


def parse_jsonl(*, project: Project, text: str) -> ParsedRows:
    """One JSON object per line; blank lines are skipped, line numbers are the file's."""
    interface = get_interface(project.interface)
    parsed = ParsedRows()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parsed.line_count += 1
        if parsed.line_count > MAX_ROWS:
            raise _too_many_rows()
        if len(line) > MAX_ROW_BYTES:
            parsed.add_error(number, f"The row is longer than {MAX_ROW_BYTES:,} characters.")
            continue
        try:
            raw = json.loads(line)
        except ValueError:
            parsed.add_error(number, "This line is not valid JSON.")
            continue
        _check_row(parsed, interface, project.label_schema, raw, number)
    return parsed


def parse_csv(*, project: Project, text: str) -> ParsedRows:
    """A header row naming the fields, then one item per row; empty cells are left out.

    `gold` holds the gold answer as JSON. Line numbers count the header as line 1.
    """
    interface = get_interface(project.interface)
    parsed = ParsedRows()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise _file_error(f"The header row cannot be read: {error}.", "invalid_csv") from error
    header = [name.strip() for name in header or []]
    if not any(header):
        raise _file_error("The file has no header row naming the fields.", "invalid_csv")
    if len(set(header)) != len(header) or "" in header:
        raise _file_error("Every column needs a distinct name in the header row.", "invalid_csv")
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as error:
            parsed.add_error(reader.line_num, f"This row cannot be read as CSV: {error}.")
            break
        if cells is None:
            break
        if not any(cell.strip() for cell in cells):
            continue
        line = reader.line_num
        parsed.line_count += 1
        if parsed.line_count > MAX_ROWS:
            raise _too_many_rows()
        if len(cells) > len(header):
            parsed.add_error(line, "The row has more cells than the header has columns.")
            continue
        if sum(len(cell) for cell in cells) > MAX_ROW_BYTES:
            parsed.add_error(line, f"The row is longer than {MAX_ROW_BYTES:,} characters.")
            continue
        raw = {name: cell for name, cell in zip(header, cells, strict=False) if cell.strip()}
        if "gold" in raw:
            try:
                raw["gold"] = json.loads(raw["gold"])
            except ValueError:
                parsed.add_error(line, 'gold: write the answer as JSON, e.g. {"label": "spam"}.')
                continue
        _check_row(parsed, interface, project.label_schema, raw, line)
    return parsed


def parse_file(*, project: Project, content: bytes, file_name: str) -> ParsedRows:
    """Parse a CSV or JSONL file (told apart by its extension, else by its first character)."""
    text = decode_text(content)
    name = file_name.lower()
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return parse_jsonl(project=project, text=text)
    if name.endswith((".csv", ".tsv", ".txt")):
        return parse_csv(project=project, text=text)
    if text.lstrip().startswith("{"):
        return parse_jsonl(project=project, text=text)
    return parse_csv(project=project, text=text)


def _create_items(project: Project, rows: list[dict]) -> int:
    items = (
        Item(
            project=project,
            data=row["data"],
            external_id=row["external_id"],
            is_gold=row["is_gold"],
            gold_answer=row["gold_answer"],
            gold_explanation=row["gold_explanation"],
        )
        for row in rows
    )
    return len(Item.objects.bulk_create(items, batch_size=BULK_BATCH))


@transaction.atomic
def item_upload_create(
    *, project: Project, membership: Membership, user: User, file_name: str, content: bytes
) -> ItemUpload:
    """Check a file row by row and keep the result pending; no item is created yet.

    File-level problems (empty, binary, not UTF-8, too large, too many rows) refuse the whole
    file with a LoopworkError on field "file".
    """
    require_manager(membership=membership, project=project)
    _require_open(project)
    parsed = parse_file(project=project, content=content, file_name=file_name)
    upload = ItemUpload.objects.create(
        project=project,
        uploaded_by=user,
        file_name=file_name[:200],
        rows=parsed.rows,
        errors=parsed.errors,
        line_count=parsed.line_count,
    )
    logger.info(
        "item upload checked",
        extra={"upload_id": upload.pk, "good": len(parsed.rows), "bad": len(parsed.errors)},
    )
    return upload


def _pending_upload(upload: ItemUpload, membership: Membership) -> ItemUpload:
    require_manager(membership=membership, project=upload.project)
    upload = ItemUpload.objects.select_for_update().select_related("project").get(pk=upload.pk)
    if upload.status != ItemUpload.Status.PENDING:
        raise LoopworkError(
            f"This upload was already {upload.get_status_display().lower()}.",
            code="upload_decided",
            status=409,
        )
    return upload


@transaction.atomic
def item_upload_keep(*, upload: ItemUpload, membership: Membership) -> ItemUpload:
    """Turn the upload's good rows into items, once (a second call is refused)."""
    upload = _pending_upload(upload, membership)
    _require_open(upload.project)
    upload.created_items = _create_items(upload.project, upload.rows)
    _reserve_for_new_items(upload.project, key=f"escrow:item_upload:{upload.pk}")
    upload.status = ItemUpload.Status.KEPT
    upload.rows = []
    upload.save(update_fields=["created_items", "status", "rows", "updated_at"])
    return upload


@transaction.atomic
def item_upload_discard(*, upload: ItemUpload, membership: Membership) -> ItemUpload:
    """Drop the whole upload: no item is created from it."""
    upload = _pending_upload(upload, membership)
    upload.status = ItemUpload.Status.DISCARDED
    upload.rows = []
    upload.save(update_fields=["status", "rows", "updated_at"])
    return upload


@transaction.atomic
def items_import(
    *, project: Project, membership: Membership, parsed: ParsedRows, all_or_nothing: bool
) -> int:
    """Create the good rows at once (API); with all_or_nothing, none when any row is bad."""
    require_manager(membership=membership, project=project)
    _require_open(project)
    if all_or_nothing and parsed.errors:
        return 0
    created = _create_items(project, parsed.rows)
    if created:
        last = Item.objects.filter(project=project).order_by("-pk").values_list("pk", flat=True)[0]
        _reserve_for_new_items(project, key=f"escrow:project:{project.pk}:items:{last}")
    return created


def _reserve_for_new_items(project: Project, *, key: str) -> None:
    """Items added to a launched project are paid like the others: reserve their budget, or
    refuse with the amounts (409 insufficient_balance) so no item is created."""
    if project.status in LIVE_STATES:
        project_escrow_top_up(project=project, key=key, action="Adding these items")


def parse_records(*, project: Project, records: list) -> ParsedRows:
    """Rows given as a JSON array; the line of a row is its position, from 1."""
    if len(records) > MAX_ROWS:
        raise LoopworkError(
            f"Send at most {MAX_ROWS:,} items per request.", code="too_many_rows", status=422
        )
    interface = get_interface(project.interface)
    parsed = ParsedRows(line_count=len(records))
    for number, raw in enumerate(records, start=1):
        _check_row(parsed, interface, project.label_schema, raw, number)
    return parsed


def _detect_audio(head: bytes) -> tuple[str, str] | None:
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg", ".mp3"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav", ".wav"
    if head.startswith(b"OggS"):
        return "audio/ogg", ".ogg"
    if head[4:8] == b"ftyp" and head[8:12] in M4A_BRANDS:
        return "audio/mp4", ".m4a"
    return None


def _detect_image(content: bytes) -> tuple[str, str] | None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = IMAGE_FORMATS.get(image.format or "")
            if kind is None:
                return None
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise LoopworkError(
                    "The image has too many pixels; scale it down.",
                    code="image_too_large",
                    field="file",
                    status=422,
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    return kind


MEDIA_REFUSAL = (
    "Upload a PNG, JPEG, GIF or WebP image, or MP3, WAV, OGG or M4A audio. The file's content "
    "is checked, not its name."
)


@transaction.atomic
def project_media_upload(
    *, project: Project, membership: Membership, file_name: str, content: bytes
) -> ProjectMedia:
    """Store an image or audio file for the project's items, after checking its content.

    The type comes from the bytes (Pillow for images, magic numbers for audio), never from
    the name; the stored name gets the extension of the detected type, so it is served as
    what it is. SVG, HTML and everything else are refused.
    """
    require_manager(membership=membership, project=project)
    _require_open(project)
    if not content:
        raise _file_error("The file is empty.", "empty_file")
    kind = _detect_audio(content[:16])
    limit = MAX_AUDIO_BYTES
    if kind is None:
        kind = _detect_image(content)
        limit = MAX_IMAGE_BYTES
    if kind is None:
        raise _file_error(MEDIA_REFUSAL, "unsupported_media")
    if len(content) > limit:
        raise _file_error(f"The file is larger than {limit // (1024 * 1024)} MB.", "file_too_large")
    content_type, extension = kind
    media = ProjectMedia(
        project=project,
        original_name=file_name[:200],
        content_type=content_type,
        size=len(content),
    )
    media.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(content), save=False)
    media.save()
    return media
