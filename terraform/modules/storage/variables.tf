variable "name" {
  description = "Prefix of every bucket name, e.g. hakobu-prod (bucket names are global: add an account suffix)."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for the buckets' objects."
  type        = string
}

variable "report_expiry_days" {
  description = "Reports (CSV, PDF) are deleted after this many days (seed §5.1: 365)."
  type        = number
  default     = 365
}

variable "pod_glacier_days" {
  description = "Proof-of-delivery photos move to Glacier after this many days (seed §5.1: 90)."
  type        = number
  default     = 90
}

variable "archive_glacier_days" {
  description = "Archived history (positions, events) moves to Glacier Deep Archive after this many days."
  type        = number
  default     = 30
}

variable "alb_log_expiry_days" {
  description = "The ALB's access logs are deleted after this many days (seed §7.2: 7)."
  type        = number
  default     = 7
}

variable "access_log_expiry_days" {
  description = "S3 access logs are deleted after this many days (seed §5.1 logs: 180)."
  type        = number
  default     = 180
}
