variable "name" {
  description = "Prefix of every resource name, e.g. hakobu-prod."
  type        = string
}

variable "database_endpoint" {
  description = "host:port of the RDS instance (the database URL is assembled from it)."
  type        = string
}

variable "database_name" {
  description = "Database and user name on the RDS instance."
  type        = string
}

variable "redis_endpoint" {
  description = "Primary endpoint host of the ElastiCache replication group."
  type        = string
}

variable "recovery_window_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 7
}
