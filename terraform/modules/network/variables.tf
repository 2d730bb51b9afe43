variable "name" {
  description = "Prefix of every resource name, e.g. hakobu-prod."
  type        = string
}

variable "vpc_cidr" {
  description = "The VPC's address range (seed §2.1: 10.0.0.0/16 in prod, 10.1.0.0/16 in staging)."
  type        = string
}

variable "availability_zones" {
  description = "Two availability zones (seed: ap-northeast-1a and ap-northeast-1c)."
  type        = list(string)
}

variable "public_subnet_cidrs" {
  description = "Public subnets (ALB, NAT gateways), one per availability zone."
  type        = list(string)
}

variable "app_subnet_cidrs" {
  description = "Private application subnets (ECS tasks), one per availability zone."
  type        = list(string)
}

variable "db_subnet_cidrs" {
  description = "Private database subnets (RDS, ElastiCache), one per availability zone; no route out."
  type        = list(string)
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per availability zone (prod) or a single one (dev, staging: seed §1B)."
  type        = bool
  default     = true
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow logs."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "KMS key encrypting the flow log group."
  type        = string
}

variable "region" {
  description = "AWS region (interface endpoints are named after it)."
  type        = string
}
