"""The data built-ins: JMESPath queries, JSON Schema validation, and format conversion.

jmespath and jsonschema are imported on first use; `csv` uses the standard library's
"excel" dialect (comma-separated, `"` quoting, quotes doubled inside a field).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from typing_extensions import TypedDict  # pydantic needs it over typing's before Python 3.12

from .._paths import os_errors
from .._tools.tool import tool
from ..errors import ToolError
from ._config import config
from ._reading import read_limited

__all__ = ["convert_data", "json_query", "json_validate"]

ReadFormat = Literal["json", "jsonl", "csv", "toml"]
WriteFormat = Literal["json", "jsonl", "csv"]


class QueryResult(TypedDict):
    result: Any


class SchemaError(TypedDict):
    path: str
    """Where in the data, as a JSON path: `$` is the whole document, `$.items[0].name` one field."""
    message: str
    keyword: str
    """The schema keyword that failed, e.g. `required` or `type`."""
    schema_path: str
    """Where in the schema, e.g. `properties/items/items/required`."""


class Validation(TypedDict):
    valid: bool
    errors: list[SchemaError]


class Converted(TypedDict):
    data: str
    format: WriteFormat
    records: int
    """Top-level records converted: list items, or 1 for a single object."""


@tool(title="Query JSON (JMESPath)", read_only_hint=True, open_world_hint=False)
def json_query(expression: str, data: Any = None, path: str | None = None) -> QueryResult:
    """Run a JMESPath expression over JSON given inline or read from a file in the allowed directories.

    Example: `people[?age > \\`30\\`].name` picks the names of the people older than 30.

    Args:
        expression: The JMESPath expression.
        data: The JSON to query (a string is parsed as JSON text); not with `path`.
        path: A JSON file to query instead; a relative path starts at the first allowed directory.
    """
    import jmespath
    import jmespath.exceptions

    if (data is None) == (path is None):
        raise ToolError("Give exactly one of `data` (inline JSON) and `path` (a JSON file).")
    if path is not None:
        data = _load_json_file(path)
    elif isinstance(data, str):
        data = _parse_json(data, "data")
    try:
        with _not_too_deep("The data or the expression"):
            return QueryResult(result=jmespath.search(expression, data))
    except jmespath.exceptions.JMESPathError as exc:
        raise ToolError(f"Invalid JMESPath expression: {exc}") from None


@tool(title="Validate JSON against a schema", read_only_hint=True, open_world_hint=False)
def json_validate(data: Any, schema: dict[str, Any]) -> Validation:
    """Validate JSON data against a JSON Schema (Draft 2020-12 unless `$schema` names another); lists every error.

    `format` is checked too (date-time, email, ...).

    Args:
        data: The JSON value to validate.
        schema: The JSON Schema.
    """
    import jsonschema
    import jsonschema.validators
    import referencing.exceptions

    validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    try:
        with _not_too_deep("The schema"):
            validator_class.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(part) for part in exc.path) or "(root)"
        raise ToolError(f"The schema is not valid: {exc.message} (at {where})") from None
    from ._schema_regex import with_linear_patterns

    validator_class = with_linear_patterns(validator_class)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    limit = config().settings.max_entries
    try:
        with _not_too_deep("The data or the schema"):
            found = list(validator.iter_errors(data))
    except referencing.exceptions.Unresolvable as exc:
        # Only references inside the schema resolve: nothing is fetched from the network or disk.
        raise ToolError(
            f"The schema's $ref {exc.ref!r} cannot be resolved: only references within the schema "
            "(#/$defs/..., or an $id it defines) are followed, nothing is fetched. Inline the referenced schema."
        ) from None
    errors = sorted(found, key=lambda error: (list(map(str, error.path)), error.message))
    return Validation(
        valid=not errors,
        errors=[
            SchemaError(
                path=error.json_path,
                message=error.message,
                keyword=str(error.validator),
                schema_path="/".join(str(part) for part in error.schema_path),
            )
            for error in errors[:limit]
        ],
    )


@tool(title="Convert data between formats", read_only_hint=True, open_world_hint=False)
def convert_data(data: str, source_format: ReadFormat, target_format: WriteFormat) -> Converted:
    """Convert text between JSON, JSON Lines, CSV and TOML (TOML is read only).

    CSV rows become objects keyed by the header row (values stay strings); to write CSV,
    give a list of objects (the header is every key, in order of appearance) or a list of
    rows. Nested values are written to CSV as JSON.

    Args:
        data: The text to convert.
        source_format: Its format.
        target_format: The format to produce.
    """
    with _not_too_deep("The input"):
        value = _read(data, source_format)
        records = len(value) if isinstance(value, list) else 1
        return Converted(data=_write(value, target_format), format=target_format, records=records)


@contextmanager
def _not_too_deep(what: str) -> Iterator[None]:
    """Turn a RecursionError (deep nesting, a long dotted TOML key) into a message a caller can act on."""
    try:
        yield
    except RecursionError:
        raise ToolError(f"{what} is nested too deeply to process; flatten it or split it into smaller parts.") from None


# --- Reading -------------------------------------------------------------------------


def _load_json_file(path: str) -> Any:
    cfg = config()
    real = cfg.path(path)
    with os_errors(path):
        raw = read_limited(real, path, cfg.settings.max_file_bytes)  # a FIFO or /dev/zero is refused
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ToolError(f"{path} is not a JSON file: it is not UTF-8 text (at byte {exc.start}).") from None
    return _parse_json(text, path)


def _parse_json(text: str, what: str) -> Any:
    import json

    try:
        with _not_too_deep(what):
            return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolError(f"{what} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None


def _read(data: str, source_format: ReadFormat) -> Any:
    if source_format == "json":
        return _parse_json(data, "The JSON input")
    if source_format == "jsonl":
        records = []
        for number, line in enumerate(data.splitlines(), start=1):
            if line.strip():
                records.append(_parse_json(line, f"JSON Lines line {number}"))
        return records
    if source_format == "toml":
        import tomllib

        try:
            return tomllib.loads(data)
        except tomllib.TOMLDecodeError as exc:
            raise ToolError(f"The TOML input is not valid: {exc}") from None
    return _read_csv(data)


def _read_csv(data: str) -> list[dict[str, str]]:
    import csv
    import io

    reader = csv.reader(io.StringIO(data, newline=""), dialect="excel", strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return []
        if len(set(header)) != len(header):
            duplicates = sorted({name for name in header if header.count(name) > 1})
            raise ToolError(f"CSV header line 1 repeats column names: {', '.join(duplicates)}.")
        records = []
        for row in reader:
            if not row:
                continue  # a blank line
            if len(row) != len(header):
                raise ToolError(f"CSV line {reader.line_num} has {len(row)} fields, but the header has {len(header)}.")
            records.append(dict(zip(header, row, strict=True)))
        return records
    except csv.Error as exc:
        raise ToolError(f"Malformed CSV at line {reader.line_num}: {exc}.") from None


# --- Writing -------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    # TOML dates and times.
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _to_json(value: Any, *, indent: int | None) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=indent, default=_json_default)


def _write(value: Any, target_format: WriteFormat) -> str:
    if target_format == "json":
        return _to_json(value, indent=2) + "\n"
    if target_format == "jsonl":
        items = value if isinstance(value, list) else [value]
        return "".join(_to_json(item, indent=None) + "\n" for item in items)
    return _write_csv(value)


def _write_csv(value: Any) -> str:
    import csv
    import io

    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ToolError("CSV needs a list of records (objects) or of rows (arrays).")
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect="excel", lineterminator="\n")
    if all(isinstance(item, dict) for item in value):
        header = list(dict.fromkeys(key for item in value for key in item))
        if header:
            writer.writerow(header)
        writer.writerows([_cell(item.get(key)) for key in header] for item in value)
    elif all(isinstance(item, list) for item in value):
        writer.writerows([_cell(cell) for cell in row] for row in value)
    else:
        raise ToolError("CSV needs a list of records (objects) or of rows (arrays), not a mix or plain values.")
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return _to_json(value, indent=None)
