variable "name" {
  description = "Prefix of every resource name, e.g. hakobu-prod."
  type        = string
}

variable "log_retention_days" {
  description = "Service -> days its CloudWatch log group is kept (seed §7.2: 30 for services, 14 for the report job)."
  type        = map(number)
}

variable "kms_key_arn" {
  description = "KMS key of the log groups and the alert topic."
  type        = string
}

variable "cluster_name" {
  description = "ECS cluster (for the service alarms)."
  type        = string
}

variable "ecs_services" {
  description = "Names of the ECS services to watch (CPU > 80 %, memory > 85 %)."
  type        = list(string)
}

variable "db_instance_id" {
  description = "RDS instance (CPU > 75 %, free memory < 2 GB)."
  type        = string
}

variable "alb_arn_suffix" {
  description = "ALB (5xx rate > 5 %, response time > 3 s)."
  type        = string
}

variable "target_group_arn_suffixes" {
  description = "Target groups (unhealthy hosts > 0)."
  type        = map(string)
}

variable "alert_emails" {
  description = "Addresses subscribed to the alert topic."
  type        = list(string)
  default     = []
}
