"""Hakobu API: generated protobuf and gRPC modules, one package per area (proto/hakobu/<area>/v1)."""
