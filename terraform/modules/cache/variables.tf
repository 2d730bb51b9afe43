variable "name" {
  description = "Prefix of every resource name, e.g. hakobu-prod."
  type        = string
}

variable "subnet_ids" {
  description = "The private database subnets."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group allowing 6379 from the ECS tasks only."
  type        = string
}

variable "node_type" {
  description = "Seed §4.2: cache.r6g.large in prod, cache.t3.medium in staging."
  type        = string
}

variable "replicas" {
  description = "Read replicas besides the primary (prod: 1, with automatic failover across the zones)."
  type        = number
}

variable "snapshot_retention_days" {
  description = "Daily snapshots kept (seed: 5 in prod)."
  type        = number
}

variable "auth_token" {
  description = "AUTH token (from the secrets module)."
  type        = string
  sensitive   = true
}

variable "kms_key_arn" {
  description = "KMS key for data at rest and the slow log."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the slow log group."
  type        = number
  default     = 30
}
