"""Media on S3 where pictures are public and everything else stays private.

Pictures (originals and renditions) are on every public page, so the front server or a CDN serves
them straight from the bucket, unsigned, and cached pages never hold a signed URL that expires.
Everything else in the bucket (the printer's mailing lists) keeps the private ACL and is read only
by the app's staff views.
"""

from storages.backends.s3 import S3Storage

PUBLIC_PREFIXES = ("images/", "original_images/")


class PublicPicturesS3Storage(S3Storage):
    def get_object_parameters(self, name: str) -> dict:
        """Upload parameters: public-read for pictures; the bucket's default (private) for the rest."""
        parameters = super().get_object_parameters(name)
        if name.startswith(PUBLIC_PREFIXES):
            parameters["ACL"] = "public-read"
        return parameters
