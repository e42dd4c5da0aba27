"""Storage in an S3-compatible bucket through boto3: the scaled-out backend."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

import boto3
import botocore.loaders
import botocore.session
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from archive.errors import ActionableError
from archive.storage.base import (
    CHUNK_SIZE,
    DEFAULT_URL_SECONDS,
    HashingReader,
    MiB,
    ObjectMissing,
    Storage,
    StorageError,
    StoredObject,
    _,
    check_key,
    check_range,
    doing,
)
from archive.storage.s3_body import RangeNotSatisfiable, S3Body, attachment
from archive.storage.s3_partial import S3Partials

log = logging.getLogger(__name__)

CHECKSUM_MODES = ("when_required", "when_supported")
MIN_PART_SIZE = 5 * MiB  # S3 refuses smaller parts (except the last)
MAX_PART_SIZE = 5 * 1024 * MiB
MAX_PARTS = 10_000
MAX_URL_SECONDS = 7 * 24 * 3600  # the longest a SigV4 presigned URL may live
# Objects below this are re-stamped with one CopyObject request, the cheapest way; larger ones
# need a multipart copy, done server-side in big parts.
_COPY_CONFIG = TransferConfig(multipart_threshold=4 * 1024 * MiB, multipart_chunksize=512 * MiB)
# Parsing botocore's S3 model takes ~0.1 s per client; every app (one per test, one per worker)
# builds a client, so the parsed model files are shared. Credentials and settings are not.
_MODEL_LOADER = botocore.loaders.create_loader()


class S3Storage(S3Partials, Storage):
    """Objects live in ``bucket`` under ``prefix``; the SHA-256 is kept as object metadata."""

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        checksums: str = "when_required",
        part_size: int = 8 * MiB,
        endpoint_url: str | None = None,
        url_seconds: int = DEFAULT_URL_SECONDS,
    ) -> None:
        if checksums not in CHECKSUM_MODES:
            raise ValueError(f"checksums must be one of {', '.join(CHECKSUM_MODES)}, not {checksums!r}")
        if not MIN_PART_SIZE <= part_size <= MAX_PART_SIZE:
            raise ValueError(f"S3_PART_SIZE must be between 5 MiB and 5 GiB (S3's limits), not {part_size}")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.checksums = checksums
        self.part_size = part_size
        self.url_seconds = url_seconds
        config = Config(
            # botocore >= 1.36 adds CRC checksums to every upload and checks them on download;
            # many S3-compatible services reject or mis-report those, so they are opt-in here.
            request_checksum_calculation=checksums,
            response_checksum_validation=checksums,
            retries={"max_attempts": 2, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
            # SigV4 links work in every AWS region and on S3-compatible services; SigV2 does not.
            signature_version="s3v4",
        )
        try:
            # A session of our own: boto3's default session is not safe to share across threads.
            session = botocore.session.get_session()
            session.register_component("data_loader", _MODEL_LOADER)
            self._client = boto3.session.Session(botocore_session=session).client(
                "s3", endpoint_url=endpoint_url, config=config
            )
        except (BotoCoreError, ValueError) as exc:
            raise StorageError(
                f"Cannot set up S3 storage for bucket '{bucket}': {exc}. Check AWS_ENDPOINT_URL "
                "and the AWS region settings."
            ) from exc
        self.endpoint_url: str = self._client.meta.endpoint_url

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self.bucket!r}, prefix={self.prefix!r}, endpoint={self.endpoint_url!r})"

    def save(
        self,
        stream: BinaryIO,
        *,
        prefix: str,
        content_type: str | None = None,
        max_bytes: int | None = None,
    ) -> StoredObject:
        """Upload the stream, one part in memory at a time; leave no object or upload on failure."""
        key = self.new_key(prefix)
        reader = HashingReader(stream, max_bytes)
        first = reader.read_full(self.part_size)
        if len(first) < self.part_size:
            self._put(key, first, reader.sha256, content_type)
        else:
            self._put_in_parts(key, first, reader, content_type)
            self._record_sha256(key, reader.sha256, content_type)
        return StoredObject(key=key, size=reader.size, sha256=reader.sha256)

    def open(self, key: str) -> BinaryIO:
        """Open the object as a buffered stream; read errors arrive as StorageError."""
        response = self._get(key)
        raw = S3Body(response["Body"], key, self._error)
        return cast(BinaryIO, io.BufferedReader(raw, buffer_size=CHUNK_SIZE))

    def read_range(
        self, key: str, start: int = 0, end: int | None = None, chunk_size: int = CHUNK_SIZE
    ) -> Iterator[bytes]:
        """Yield the bytes from ``start`` to ``end`` inclusive; the request is made before returning."""
        check_range(start, end)
        byte_range = None
        if start or end is not None:
            byte_range = f"bytes={start}-{'' if end is None else end}"
        try:
            response = self._get(key, byte_range)
        except RangeNotSatisfiable:
            # Past the end: nothing to send, the same answer the filesystem gives.
            return iter(())
        return self._chunks(response["Body"], key, chunk_size)

    def size(self, key: str) -> int:
        """Return the object's size from its metadata."""
        return int(self._head(key)["ContentLength"])

    def exists(self, key: str) -> bool:
        """Ask S3 whether the object exists."""
        try:
            self._head(key)
        except ObjectMissing:
            return False
        return True

    def delete(self, key: str) -> None:
        """Delete the object; S3 itself treats a missing key as deleted."""
        check_key(key)
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:
            raise self._error(exc, doing("delete", key)) from exc

    def modified_at(self, key: str) -> datetime:
        """Return when the object was written (naive UTC)."""
        return self._head(key)["LastModified"].astimezone(UTC).replace(tzinfo=None)

    def list(self, prefix: str = "") -> Iterator[str]:
        """Yield the keys that start with ``prefix``, page by page."""
        return self._list(prefix)

    def check(self) -> None:
        """List at most one object: the endpoint answers, the bucket exists and the keys let us in."""
        try:
            self._client.list_objects_v2(Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else "", MaxKeys=1)
        except Exception as exc:
            raise self._error(exc, "list objects") from exc

    def sha256_of(self, key: str) -> str | None:
        """Return the ``sha256`` metadata recorded at upload, or None."""
        return self._head(key).get("Metadata", {}).get("sha256")

    def url(
        self,
        key: str,
        *,
        expires_in: int | None = None,
        filename: str | None = None,
        content_type: str | None = None,
        audience: str | None = None,
    ) -> str:
        """Return a presigned GET URL; S3 itself answers Range requests on it (``audience`` cannot travel)."""
        check_key(key)
        seconds = self._expiry(expires_in)
        if seconds > MAX_URL_SECONDS:
            raise ValueError(f"S3 links can live at most {MAX_URL_SECONDS} seconds (7 days), not {seconds}")
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self._name(key)}
        if filename is not None:
            params["ResponseContentDisposition"] = attachment(filename)
        if content_type is not None:
            params["ResponseContentType"] = content_type
        try:
            return self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)
        except Exception as exc:
            raise self._error(exc, doing("sign", key)) from exc

    def allow_script_reads(self) -> None:
        """Add a CORS rule letting any page GET objects through their presigned links; keep existing rules.

        The presigned link is the credential, not the page's origin: a page holding a link can
        already play it in a <video>; CORS only lets hls.js fetch the same bytes from a script.
        """
        try:
            try:
                rules = self._client.get_bucket_cors(Bucket=self.bucket).get("CORSRules", [])
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "NoSuchCORSConfiguration":
                    raise
                rules = []
            if any("*" in rule.get("AllowedOrigins", []) and "GET" in rule.get("AllowedMethods", []) for rule in rules):
                return
            rules.append({"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"], "AllowedHeaders": ["Range"],
                          "ExposeHeaders": ["Content-Length", "Content-Range"], "MaxAgeSeconds": 3600})
            self._client.put_bucket_cors(Bucket=self.bucket, CORSConfiguration={"CORSRules": rules})
        except Exception as exc:
            raise self._error(exc, doing("cors")) from exc

    def _name(self, key: str) -> str:
        """The S3 object name of a key."""
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _put(self, key: str, data: bytes, sha256: str, content_type: str | None) -> None:
        """Store a small object in one request, with its SHA-256."""
        extra = {"ContentType": content_type} if content_type else {}
        try:
            self._client.put_object(
                Bucket=self.bucket, Key=self._name(key), Body=data, Metadata={"sha256": sha256}, **extra
            )
        except Exception as exc:
            if isinstance(exc, HTTPClientError):
                # The request may have landed even though the answer was lost.
                self._delete_quietly(key)
            raise self._error(exc, doing("store", key)) from exc

    def _put_in_parts(self, key: str, first: bytes, reader: HashingReader, content_type: str | None) -> None:
        """Upload a large stream as a multipart upload, aborting it on any failure."""
        name = self._name(key)
        extra: dict[str, Any] = {"ContentType": content_type} if content_type else {}
        checksum: dict[str, Any] = {}
        if self.checksums == "when_supported":
            # As s3transfer does: name the algorithm up front so part checksums can be listed.
            checksum = {"ChecksumAlgorithm": "CRC32"}
        try:
            created = self._client.create_multipart_upload(Bucket=self.bucket, Key=name, **extra, **checksum)
            upload_id = created["UploadId"]
        except Exception as exc:
            raise self._error(exc, doing("start upload", key)) from exc
        completing = False
        try:
            parts: list[dict[str, Any]] = []
            data = first
            while data:
                number = len(parts) + 1
                if number > MAX_PARTS:
                    raise StorageError(
                        _("The upload is larger than %(parts)s parts of %(size)s bytes; "
                          "raise S3_PART_SIZE to store objects this large.", parts=MAX_PARTS, size=self.part_size)
                    )
                response = self._client.upload_part(
                    Bucket=self.bucket, Key=name, UploadId=upload_id, PartNumber=number, Body=data, **checksum
                )
                part = {"ETag": response["ETag"], "PartNumber": number}
                if "ChecksumCRC32" in response and checksum:
                    part["ChecksumCRC32"] = response["ChecksumCRC32"]
                parts.append(part)
                # A short part can only be the last one: spare the extra read.
                data = reader.read_full(self.part_size) if len(data) == self.part_size else b""
            completing = True
            self._client.complete_multipart_upload(
                Bucket=self.bucket, Key=name, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException as exc:
            self._abort_quietly(key, upload_id)
            if completing:
                self._delete_quietly(key)
            if isinstance(exc, ActionableError) or not isinstance(exc, Exception):
                raise
            raise self._error(exc, doing("upload", key)) from exc

    def _record_sha256(self, key: str, sha256: str, content_type: str | None) -> None:
        """Stamp the SHA-256 on a finished multipart object by copying it onto itself."""
        name = self._name(key)
        # The hash is known only after the last part, and metadata can't change in place:
        # a server-side copy with REPLACE rewrites it without moving the bytes through us.
        extra: dict[str, Any] = {"Metadata": {"sha256": sha256}, "MetadataDirective": "REPLACE"}
        if content_type:
            extra["ContentType"] = content_type
        try:
            self._client.copy(
                CopySource={"Bucket": self.bucket, "Key": name},
                Bucket=self.bucket,
                Key=name,
                ExtraArgs=extra,
                Config=_COPY_CONFIG,
            )
        except Exception as exc:
            # An object without its checksum would fail every fixity check: better none at all.
            self._delete_quietly(key)
            raise self._error(exc, doing("checksum", key)) from exc

    def _get(self, key: str, byte_range: str | None = None) -> dict[str, Any]:
        """GET the object (or a range of it)."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self._name(key)}
        if byte_range:
            params["Range"] = byte_range
        try:
            return self._client.get_object(**params)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidRange":
                raise RangeNotSatisfiable from exc
            raise self._error(exc, doing("read", key), key=key) from exc
        except Exception as exc:
            raise self._error(exc, doing("read", key), key=key) from exc

    def _head(self, key: str) -> dict[str, Any]:
        """HEAD the object for its size and metadata."""
        try:
            return self._client.head_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:
            raise self._error(exc, doing("look up", key), key=key) from exc

    def _chunks(self, body: Any, key: str, chunk_size: int) -> Iterator[bytes]:
        """Yield a response body in chunks, closing it at the end."""
        with closing(body):
            try:
                yield from body.iter_chunks(chunk_size)
            except BotoCoreError as exc:
                raise self._error(exc, doing("read", key)) from exc

    def _list(self, prefix: str) -> Iterator[str]:
        """Page through the objects under our prefix."""
        base = f"{self.prefix}/" if self.prefix else ""
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=base + prefix):
                for item in page.get("Contents", []):
                    yield item["Key"][len(base) :]
        except Exception as exc:
            raise self._error(exc, doing("list")) from exc

    def _abort_quietly(self, key: str, upload_id: str) -> None:
        """Abort a multipart upload on a failure path; log, don't raise, if that fails too."""
        try:
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=self._name(key), UploadId=upload_id)
        except Exception:
            log.warning(
                "Could not abort multipart upload %s of %r in bucket %r; its parts stay billed until "
                "a lifecycle rule (AbortIncompleteMultipartUpload) removes them",
                upload_id,
                key,
                self.bucket,
                exc_info=True,
            )

    def _delete_quietly(self, key: str) -> None:
        """Delete an object on a failure path; log, don't raise, if that fails too."""
        try:
            self._client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except Exception:
            log.warning("Could not remove %r from bucket %r after a failed save", key, self.bucket, exc_info=True)

    def _error(self, exc: BaseException, action: str, *, key: str | None = None) -> StorageError:
        """Turn a boto3/botocore failure into a StorageError that says what to check."""
        if isinstance(exc, StorageError):
            return exc
        endpoint, bucket = self.endpoint_url, self.bucket
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if key is not None and (code in ("NoSuchKey", "NotFound") or (code == "404" and status == 404)):
                return ObjectMissing(key)
            if code == "NoSuchBucket":
                return StorageError(
                    _("The bucket '%(bucket)s' does not exist at %(endpoint)s. Create it, or correct STORAGE_URL.",
                      bucket=bucket, endpoint=endpoint)
                )
            if code in ("AccessDenied", "AllAccessDisabled", "403"):
                return StorageError(
                    _("Access denied to bucket '%(bucket)s' at %(endpoint)s when trying to %(action)s. Check "
                      "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and the bucket policy (without "
                      "s3:ListBucket, S3 also answers 403 for objects that do not exist).",
                      bucket=bucket, endpoint=endpoint, action=action)
                )
            if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken"):
                return StorageError(
                    _("The S3 service at %(endpoint)s refused the credentials (%(code)s). Check "
                      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.", endpoint=endpoint, code=code)
                )
            if code in ("SlowDown", "ServiceUnavailable", "InternalError", "500", "503"):
                return StorageError(
                    _("The S3 service at %(endpoint)s is unavailable or overloaded (%(code)s) and could not "
                      "%(action)s. Try again in a moment.", endpoint=endpoint, code=code, action=action)
                )
            detail = error.get("Message") or _("no details")
            return StorageError(
                _("S3 at %(endpoint)s refused to %(action)s in bucket '%(bucket)s': %(code)s (%(detail)s).",
                  endpoint=endpoint, action=action, bucket=bucket, code=code, detail=detail)
            )
        if isinstance(exc, ConnectionError):
            return StorageError(
                _("Cannot reach the S3 endpoint %(endpoint)s (bucket '%(bucket)s'): %(reason)s. "
                  "Check AWS_ENDPOINT_URL and that the service is running.",
                  endpoint=endpoint, bucket=bucket, reason=_connection_reason(exc))
            )
        if isinstance(exc, ReadTimeoutError):
            return StorageError(
                _("The S3 endpoint %(endpoint)s (bucket '%(bucket)s') did not answer in time when trying to "
                  "%(action)s. Check that the service is healthy, then try again.",
                  endpoint=endpoint, bucket=bucket, action=action)
            )
        if isinstance(exc, HTTPClientError):
            return StorageError(
                _("The connection to the S3 endpoint %(endpoint)s (bucket '%(bucket)s') broke when trying "
                  "to %(action)s: %(reason)s. Try again.", endpoint=endpoint, bucket=bucket, action=action, reason=exc)
            )
        if isinstance(exc, (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError)):
            return StorageError(
                _("No usable S3 credentials for bucket '%(bucket)s': set AWS_ACCESS_KEY_ID and "
                  "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE).", bucket=bucket)
            )
        return StorageError(
            _("S3 storage at %(endpoint)s (bucket '%(bucket)s') could not %(action)s: %(reason)s",
              endpoint=endpoint, bucket=bucket, action=action, reason=exc)
        )



def _connection_reason(exc: BaseException) -> str:
    """Say in a few words why a connection failed, without the urllib3 traceback."""
    text = str(getattr(exc, "kwargs", {}).get("error") or exc)
    if "refused" in text.lower():
        return _("connection refused")
    if "timed out" in text.lower() or "timeout" in text.lower():
        return _("no answer before the connect timeout")
    if "name or service not known" in text.lower() or "nodename nor servname" in text.lower():
        return _("the host name does not resolve")
    if "ssl" in text.lower() or "certificate" in text.lower():
        return _("TLS failed (%(detail)s)", detail=text)
    return text
