variable "name" {
  description = "Prefix of every resource name, e.g. hakobu-prod."
  type        = string
}

variable "subnet_ids" {
  description = "The private database subnets."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group allowing 5432 from the ECS tasks only."
  type        = string
}

variable "instance_class" {
  description = "Seed §4.1: db.r6g.xlarge in prod, db.t3.large in staging."
  type        = string
}

variable "allocated_storage" {
  description = "GiB of gp3 storage at creation (seed: 500 in prod, 100 in staging)."
  type        = number
}

variable "max_allocated_storage" {
  description = "Storage autoscaling limit in GiB (seed: 2 TB in prod)."
  type        = number
}

variable "multi_az" {
  description = "Multi-AZ standby (prod); single AZ in dev and staging (seed §1B)."
  type        = bool
}

variable "backup_retention_days" {
  description = "Automated backups (seed: 7 days in prod, 3 in staging)."
  type        = number
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (prod, staging)."
  type        = bool
  default     = true
}

variable "database_name" {
  description = "Database and master user name."
  type        = string
  default     = "hakobu"
}

variable "password" {
  description = "Master password (from the secrets module)."
  type        = string
  sensitive   = true
}

variable "kms_key_arn" {
  description = "KMS key for storage, Performance Insights and logs."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the PostgreSQL log group (seed §7.2: 90 days)."
  type        = number
  default     = 90
}
