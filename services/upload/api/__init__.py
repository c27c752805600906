"""The gRPC surface: one servicer module per proto service, named after it (upload.py: UploadService)."""
