# What terraform.tfvars gives (terraform.tfvars.example); the same in every environment.
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
