"""hakobu.reports.v1: generated protobuf and gRPC modules (never edit by hand)."""
