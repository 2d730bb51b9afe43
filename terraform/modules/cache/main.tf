# ElastiCache Redis 7 (seed §4.2): the travel-matrix cache, rate limits and live positions. One primary
# and var.replicas replicas with automatic failover (cluster mode off: the services use one Redis URL),
# encrypted at rest and in transit, AUTH token from Secrets Manager, snapshots in 03:00-04:00 JST.

resource "aws_elasticache_subnet_group" "main" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_cloudwatch_log_group" "slow" {
  #checkov:skip=CKV_AWS_338:Retention follows the seed (§7.2: 7 to 90 days), not one year; archives go to S3.
  name              = "/aws/elasticache/${var.name}/slow-log"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_elasticache_replication_group" "main" {
  #checkov:skip=CKV2_AWS_50:Failover and Multi-AZ follow var.replicas: on in prod (1 replica), off in dev and staging (seed §1B: no replica).
  replication_group_id       = var.name
  description                = "Hakobu cache ${var.name}"
  engine                     = "redis"
  engine_version             = "7.1"
  node_type                  = var.node_type
  port                       = 6379
  num_cache_clusters         = 1 + var.replicas
  automatic_failover_enabled = var.replicas > 0
  multi_az_enabled           = var.replicas > 0
  subnet_group_name          = aws_elasticache_subnet_group.main.name
  security_group_ids         = [var.security_group_id]
  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  auth_token                 = var.auth_token
  snapshot_retention_limit   = var.snapshot_retention_days
  snapshot_window            = "18:00-19:00" # 03:00-04:00 JST
  maintenance_window         = "sat:19:00-sat:20:00"
  auto_minor_version_upgrade = true

  log_delivery_configuration {
    destination      = aws_cloudwatch_log_group.slow.name
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }
}
