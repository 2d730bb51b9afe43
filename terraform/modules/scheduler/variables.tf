variable "name" {
  description = "Prefix of every resource name, e.g. hakobu-prod."
  type        = string
}

variable "cluster_arn" {
  description = "The ECS cluster the jobs run in."
  type        = string
}

variable "task_definition_arn" {
  description = "The scheduler's task definition (the same image and settings as the compose scheduler)."
  type        = string
}

variable "container_name" {
  description = "Container whose command each job overrides."
  type        = string
  default     = "scheduler"
}

variable "role_arns" {
  description = "The task definition's execution and task roles (EventBridge passes them)."
  type        = list(string)
}

variable "subnet_ids" {
  description = "Private application subnets."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the job tasks."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "KMS key of the schedules and the dead-letter queue."
  type        = string
}

variable "jobs" {
  description = "Job name -> { cron (EventBridge cron, Japan time), command }."
  type = map(object({
    cron    = string
    command = list(string)
  }))
}
