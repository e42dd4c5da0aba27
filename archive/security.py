"""Security headers on every response, with a Content-Security-Policy the pages satisfy.

Pages load scripts and styles only from /static (no inline code), so the policy can forbid
everything else. Media may come from the S3 endpoint when storage is on S3, and from a ``blob:`` MediaSource
(adaptive streaming through hls.js).
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from flask import Flask, Response


def media_origins(app: Flask) -> str:
    """Origins media links may point at: the app itself, plus the S3 endpoint when used."""
    if not str(app.config.get("STORAGE_URL", "")).startswith("s3://"):
        return "'self'"
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        parts = urlsplit(endpoint)
        return f"'self' {parts.scheme}://{parts.netloc}"
    return "'self' https://*.amazonaws.com"


def content_security_policy(app: Flask) -> str:
    """The policy for this app's configuration."""
    media = media_origins(app)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {media} data:",
            # blob: only for media: hls.js plays through a MediaSource object URL. Its worker is a
            # file under /static, so workers need nothing beyond script-src 'self'.
            f"media-src {media} blob:",
            # hls.js fetches playlists and segments itself, from the app and (on S3) the storage endpoint.
            f"connect-src {media}",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def init_app(app: Flask) -> None:
    """Attach the headers to every response."""
    policy = content_security_policy(app)

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("SECURE_COOKIES"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
