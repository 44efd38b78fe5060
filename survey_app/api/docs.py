"""The OpenAPI document and its page, both served by the app itself (no CDN, no script).

The page is rendered on the server from the same document, so it works on a machine without
internet and under the site's Content-Security-Policy (no inline script, styles by nonce).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, render_template

from .problems import CODES

METHODS = ("get", "post", "put", "patch", "delete")


def spec() -> dict[str, Any]:
    return current_app.extensions["survey-api"].spec.to_dict()


def openapi_json():
    """The OpenAPI 3.1 document of /api/v1."""
    return jsonify(spec())


def _ref_name(value: Any) -> str | None:
    if isinstance(value, dict) and "$ref" in value:
        return value["$ref"].rsplit("/", 1)[-1]
    return None


def _schema_text(schema: Any) -> str:
    """A short reading of a schema: its component name, or its type."""
    if not isinstance(schema, dict):
        return ""
    name = _ref_name(schema)
    if name:
        return name
    kind = schema.get("type", "")
    if isinstance(kind, list):
        kind = " | ".join(kind)
    if kind == "array":
        return f"array of {_schema_text(schema.get('items')) or 'any'}"
    extra = []
    if "enum" in schema:
        extra.append(" | ".join(str(value) for value in schema["enum"] if value is not None))
    if "format" in schema:
        extra.append(schema["format"])
    for key, label in (("minimum", "≥"), ("maximum", "≤"), ("maxLength", "max length"),
                       ("pattern", "pattern")):
        if key in schema:
            extra.append(f"{label} {schema[key]}")
    return (kind or "any") + (f" ({'; '.join(extra)})" if extra else "")


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    responses = document.get("components", {}).get("responses", {})
    operations = []
    for path, item in document.get("paths", {}).items():
        common = item.get("parameters", [])
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [*common, *operation.get("parameters", [])]
            body = operation.get("requestBody", {}).get("content", {})
            replies = []
            for status, reply in operation.get("responses", {}).items():
                name = _ref_name(reply)
                if name:
                    reply = responses.get(name, {})
                content = reply.get("content", {})
                replies.append({"status": status, "description": reply.get("description", ""),
                                "media": [(media, _schema_text(value.get("schema")))
                                          for media, value in content.items()]})
            operations.append({
                "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                "method": method.upper(), "path": path,
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "parameters": [{"name": p.get("name"), "in": p.get("in"),
                                "required": p.get("required", False),
                                "schema": _schema_text(p.get("schema")),
                                "description": p.get("description", "")}
                               for p in parameters],
                "body": [(media, _schema_text(value.get("schema")))
                         for media, value in body.items()],
                "responses": sorted(replies, key=lambda reply: reply["status"]),
            })
    return operations


def _schemas(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        found.append({"name": name, "description": schema.get("description", ""),
                      "properties": [{"name": prop, "schema": _schema_text(value),
                                      "required": prop in required,
                                      "description": value.get("description", "")}
                                     for prop, value in schema.get("properties", {}).items()]})
    return found


def docs():
    """The API's documentation page, rendered from the OpenAPI document."""
    document = spec()
    return render_template("api/docs.html", info=document.get("info", {}),
                           version=document.get("openapi"), operations=_operations(document),
                           schemas=_schemas(document), codes=CODES)
