"""Object storage adapters (S3 and S3-compatible servers) taking plain data."""
