variable "name" {
  description = "Service name as in docker-compose.yml (optimizer, plans, tracking, reports, gateway, migrate, scheduler)."
  type        = string
}

variable "prefix" {
  description = "Prefix of every resource name, e.g. hakobu-prod."
  type        = string
}

variable "cluster_arn" {
  description = "The ECS cluster."
  type        = string
}

variable "image" {
  description = "The Hakobu image (one image, every service), e.g. <account>.dkr.ecr.ap-northeast-1.amazonaws.com/hakobu:<git sha>."
  type        = string
}

variable "command" {
  description = "The container command (the image's entrypoint is `hakobu`)."
  type        = list(string)
}

variable "ports" {
  description = "Container ports the service listens on."
  type        = list(number)
  default     = []
}

variable "environment" {
  description = "Plain settings (README Configuration table)."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Secret settings: name -> Secrets Manager ARN."
  type        = map(string)
  default     = {}
}

variable "health_check" {
  description = "The container health check command, or null."
  type        = list(string)
  default     = null
}

variable "cpu" {
  description = "Task CPU units (1024 = 1 vCPU)."
  type        = number
}

variable "memory" {
  description = "Task memory in MiB."
  type        = number
}

variable "run_as_service" {
  description = "false: a task definition only, run on demand (migrate) or by EventBridge Scheduler."
  type        = bool
  default     = true
}

variable "desired_count" {
  description = "Tasks at deploy time."
  type        = number
  default     = 1
}

variable "min_count" {
  description = "Autoscaling minimum."
  type        = number
  default     = 1
}

variable "max_count" {
  description = "Autoscaling maximum."
  type        = number
  default     = 1
}

variable "cpu_target_percent" {
  description = "Target tracking on average CPU (seed §3.2: 70)."
  type        = number
  default     = 70
}

variable "queue_metric" {
  description = "Optional target tracking on a queue-depth metric per task (the optimizer's running operations)."
  type = object({
    namespace = string
    name      = string
    target    = number
  })
  default = null
}

variable "subnet_ids" {
  description = "Private application subnets."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups of the tasks."
  type        = list(string)
}

variable "load_balancers" {
  description = "Target groups: list of { target_group_arn, container_port }."
  type = list(object({
    target_group_arn = string
    container_port   = number
  }))
  default = []
}

variable "discovery_namespace_id" {
  description = "Cloud Map private DNS namespace: each task registers <name>.<namespace> (A records, so clients round-robin)."
  type        = string
  default     = null
}

variable "log_group_name" {
  description = "CloudWatch log group of the service (observability module)."
  type        = string
}

variable "region" {
  description = "AWS region of the log group."
  type        = string
}

variable "task_policy_json" {
  description = "What the service's code may do in AWS (S3, SES), as an IAM policy document; null for nothing."
  type        = string
  default     = null
}

variable "kms_key_arn" {
  description = "KMS key the secrets are encrypted with."
  type        = string
}

variable "collector_image" {
  description = "AWS Distro for OpenTelemetry collector beside the service: traces to X-Ray, the /metrics of the service to CloudWatch (EMF); null for none."
  type        = string
  default     = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.1"
}

variable "metrics_port" {
  description = "Port of the service's Prometheus /metrics, scraped by the collector (null: none)."
  type        = number
  default     = null
}
