"""What the Upload service keeps: its tables (models, store, full-text index, migrations) and the S3 objects."""
