variable "name" {
  description = "Prefix of every resource name, e.g. hakobu-prod."
  type        = string
}

variable "vpc_id" {
  description = "The VPC."
  type        = string
}

variable "subnet_ids" {
  description = "Public subnets, one per availability zone."
  type        = list(string)
}

variable "security_group_id" {
  description = "The ALB's security group."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the public host name."
  type        = string
}

variable "log_bucket" {
  description = "Bucket for the access logs (prefix alb/)."
  type        = string
}

variable "deletion_protection" {
  description = "Refuse to delete the ALB (prod, staging)."
  type        = bool
  default     = true
}

variable "waf_rate_limit" {
  description = "Requests per IP per 5 minutes before the WAF blocks (seed §6.2: 2000)."
  type        = number
  default     = 2000
}

variable "allowed_countries" {
  description = "Countries the WAF lets through (seed §6.2: JP)."
  type        = list(string)
  default     = ["JP"]
}

variable "waf_log_retention_days" {
  description = "Retention of the WAF log group."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "KMS key of the WAF log group."
  type        = string
}

variable "grpc_routes" {
  description = "gRPC target groups: name -> { port, paths } (paths like /hakobu.plans.v1.*)."
  type = map(object({
    port  = number
    paths = list(string)
  }))
  default = {}
}
