"""Object stores (proof-of-delivery photos, archived history): a local folder or any S3-compatible store."""
