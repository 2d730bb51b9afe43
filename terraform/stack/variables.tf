variable "region" {
  description = "AWS region (seed: Tokyo)."
  type        = string
  default     = "ap-northeast-1"
}

variable "image" {
  description = "The Hakobu image to run, e.g. <account>.dkr.ecr.ap-northeast-1.amazonaws.com/hakobu:<git sha>."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the public host name (HTTPS on the ALB)."
  type        = string
}

variable "mail_domain" {
  description = "Domain the reports are mailed from (an SES identity; add its DKIM records to DNS)."
  type        = string
}

variable "alert_emails" {
  description = "Who receives the alarms."
  type        = list(string)
  default     = []
}

variable "env" {
  description = "The environment (dev, stg, prod): VPC CIDR, NAT, deletion protection, RDS and Redis sizes."
  type = object({
    name                = string
    vpc_cidr            = string
    nat_gateway_per_az  = bool
    deletion_protection = bool
    db_instance_class   = string
    db_storage_gb       = number
    db_max_storage_gb   = number
    db_multi_az         = bool
    db_backup_days      = number
    cache_node_type     = string
    cache_replicas      = number
    cache_snapshot_days = number
  })
}

variable "sizes" {
  description = "Per service (each of local.services): Fargate cpu, memory, task count, autoscaling range."
  type = map(object({
    cpu     = number
    memory  = number
    desired = number
    min     = number
    max     = number
  }))

  validation {
    condition = length(setsubtract(
      ["migrate", "optimizer", "plans", "tracking", "reports", "gateway", "scheduler"], keys(var.sizes)
    )) == 0
    error_message = "sizes needs migrate, optimizer, plans, tracking, reports, gateway and scheduler."
  }
}
