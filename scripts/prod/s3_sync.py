"""Keep moto's in-memory bucket across `make prod-stop`: `save` copies it to a folder, `load` puts it back."""

import os
import sys
from pathlib import Path

import boto3


def main(action: str, folder: str) -> None:
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"])
    bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
    root = Path(folder)
    if action == "save":
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                target = root / item["Key"]
                target.parent.mkdir(parents=True, exist_ok=True)
                s3.download_file(bucket, item["Key"], str(target))
    elif action == "load":
        for path in root.rglob("*"):
            if path.is_file():
                s3.upload_file(str(path), bucket, path.relative_to(root).as_posix())
    else:
        raise SystemExit(f"usage: s3_sync.py save|load FOLDER, not {action!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
