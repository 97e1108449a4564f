"""Gated files in the S3 media bucket: private objects under a prefix of their own (masthead/core/private_files.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from botocore.exceptions import ClientError
from django.conf import settings
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from masthead.core.private_files import Blocks, StoredFile

# nginx uses the URL at once; the lifetime only has to cover the clocks of the app and the bucket disagreeing.
ACCEL_URL_SECONDS = 60


class PrivateS3Storage(S3Storage):
    """Private objects under the prefix `location` of the media bucket (unless `bucket_name` says another).

    Objects are uploaded with no ACL at all, so they are the bucket owner's alone on any bucket (one with ACLs
    disabled refuses every canned ACL but the owner's); URLs are always presigned, path-style and SigV4, so
    nginx's `/protected-s3/` location, which proxies AWS_S3_ENDPOINT_URL, can fetch them as they are.
    """

    remote = True

    def __init__(self, *, accel_prefix: str = "/protected-s3/", **options):
        self.accel_prefix = accel_prefix
        media = settings.STORAGES.get("default", {}).get("OPTIONS", {})
        options.setdefault("bucket_name", media.get("bucket_name") or settings.AWS_STORAGE_BUCKET_NAME)
        options.setdefault("endpoint_url", media.get("endpoint_url") or settings.AWS_S3_ENDPOINT_URL or None)
        options.update(
            default_acl=None,
            querystring_auth=True,
            custom_domain=None,
            addressing_style="path",
            signature_version="s3v4",
            file_overwrite=True,  # names carry the job's claim token: never taken twice
        )
        super().__init__(**options)

    def get_object_parameters(self, name: str) -> dict:
        """No ACL whatever AWS_S3_OBJECT_PARAMETERS says: these objects are never public."""
        parameters = super().get_object_parameters(name)
        parameters.pop("ACL", None)
        return parameters

    def key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def stat(self, name: str) -> StoredFile | None:
        try:
            head = self.connection.meta.client.head_object(Bucket=self.bucket_name, Key=self.key(name))
        except ClientError as error:
            if _missing(error):
                return None
            raise
        return StoredFile(head["ContentLength"], head["LastModified"])

    def _body(self, name: str, byte_range: str | None = None):
        arguments = {"Bucket": self.bucket_name, "Key": self.key(name)}
        if byte_range:
            arguments["Range"] = byte_range
        try:
            return self.connection.meta.client.get_object(**arguments)["Body"]
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(name) from error
            raise

    def stream(self, name: str, start: int = 0, length: int | None = None) -> Blocks:
        """The bytes from `start` (all, or `length`), asked of the bucket as one ranged GET."""
        if start == 0 and length is None:
            body = self._body(name)
        else:
            body = self._body(name, f"bytes={start}-{'' if length is None else start + length - 1}")
        return Blocks(body.read, body.close, length)

    def open_whole(self, name: str):
        """The object's body, read as the response is sent; FileNotFoundError if missing."""
        return self._body(name)

    def accel_redirect(self, name: str) -> str:
        """X-Accel-Redirect: nginx's proxy of the bucket, with the presigned path and query of the object."""
        signed = urlsplit(self.url(name, expire=ACCEL_URL_SECONDS))
        return f"{self.accel_prefix.rstrip('/')}{signed.path}?{signed.query}"


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")
