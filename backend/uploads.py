"""Uploads refused by size as they arrive, not after: past MAX_BYTES a file's chunks are
no longer kept (neither in memory nor on disk), and the form is handed a stand-in of the
size that was sent, so that it says "must be 10 MB or smaller" as for any photo."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from marketplace.images import MAX_BYTES


class SizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts each file's bytes; the handlers after it
    store the file only while it is within the limit."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        # None stops the chunk here: nothing past the limit reaches memory or disk.
        return raw_data if self.received <= MAX_BYTES else None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= MAX_BYTES:
            return None  # the next handler's file, whole
        kind = self.content_type or "application/octet-stream"
        too_big = SimpleUploadedFile(self.file_name or "upload", b"", kind)
        too_big.size = self.received
        return too_big
