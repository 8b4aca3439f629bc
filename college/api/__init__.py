"""The JSON API under /api/v1: one blueprint per resource, an OpenAPI document, bearer tokens."""
