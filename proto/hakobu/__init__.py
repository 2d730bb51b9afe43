"""Hakobu API: generated protobuf and gRPC modules (see proto/hakobu/v1)."""
