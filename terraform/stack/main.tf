# The Hakobu stack, the same in every environment: network, secrets, database, cache, storage, load
# balancer, the services (services.tf), scheduled jobs, logs and alarms, SES. terraform/envs/<env>/ calls
# it with that environment's sizes and counts (var.env, var.sizes); nothing here names an environment.

locals {
  name = "hakobu-${var.env.name}"
}

module "secrets" {
  source            = "../modules/secrets"
  name              = local.name
  database_endpoint = module.database.endpoint
  database_name     = module.database.database_name
  redis_endpoint    = module.cache.primary_endpoint
}

module "network" {
  source             = "../modules/network"
  name               = local.name
  region             = var.region
  vpc_cidr           = var.env.vpc_cidr
  availability_zones = ["${var.region}a", "${var.region}c"]
  public_subnet_cidrs = [
    cidrsubnet(var.env.vpc_cidr, 8, 1), cidrsubnet(var.env.vpc_cidr, 8, 2)
  ]
  app_subnet_cidrs = [
    cidrsubnet(var.env.vpc_cidr, 8, 11), cidrsubnet(var.env.vpc_cidr, 8, 12)
  ]
  db_subnet_cidrs = [
    cidrsubnet(var.env.vpc_cidr, 8, 21), cidrsubnet(var.env.vpc_cidr, 8, 22)
  ]
  nat_gateway_per_az = var.env.nat_gateway_per_az
  kms_key_arn        = module.secrets.kms_key_arn
}

module "database" {
  source                = "../modules/database"
  name                  = local.name
  subnet_ids            = module.network.db_subnet_ids
  security_group_id     = module.network.security_group_ids.db
  instance_class        = var.env.db_instance_class
  allocated_storage     = var.env.db_storage_gb
  max_allocated_storage = var.env.db_max_storage_gb
  multi_az              = var.env.db_multi_az
  backup_retention_days = var.env.db_backup_days
  deletion_protection   = var.env.deletion_protection
  password              = module.secrets.database_password
  kms_key_arn           = module.secrets.kms_key_arn
}

module "cache" {
  source                  = "../modules/cache"
  name                    = local.name
  subnet_ids              = module.network.db_subnet_ids
  security_group_id       = module.network.security_group_ids.cache
  node_type               = var.env.cache_node_type
  replicas                = var.env.cache_replicas
  snapshot_retention_days = var.env.cache_snapshot_days
  auth_token              = module.secrets.redis_auth_token
  kms_key_arn             = module.secrets.kms_key_arn
}

module "storage" {
  source      = "../modules/storage"
  name        = "${local.name}-${data.aws_caller_identity.current.account_id}"
  kms_key_arn = module.secrets.kms_key_arn
}

module "load_balancer" {
  source              = "../modules/load-balancer"
  name                = local.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.public_subnet_ids
  security_group_id   = module.network.security_group_ids.alb
  certificate_arn     = var.certificate_arn
  log_bucket          = module.storage.log_bucket
  deletion_protection = var.env.deletion_protection
  kms_key_arn         = module.secrets.kms_key_arn
  grpc_routes         = local.grpc_routes
}

module "observability" {
  source                    = "../modules/observability"
  name                      = local.name
  log_retention_days        = local.log_retention_days
  kms_key_arn               = module.secrets.kms_key_arn
  cluster_name              = aws_ecs_cluster.main.name
  ecs_services              = [for k, s in local.services : k if s.run_as_service]
  db_instance_id            = module.database.instance_id
  alb_arn_suffix            = module.load_balancer.arn_suffix
  target_group_arn_suffixes = module.load_balancer.target_group_arn_suffixes
  alert_emails              = var.alert_emails
}

module "scheduler" {
  source              = "../modules/scheduler"
  name                = local.name
  cluster_arn         = aws_ecs_cluster.main.arn
  task_definition_arn = module.service["scheduler"].task_definition_arn
  role_arns           = [module.service["scheduler"].execution_role_arn, module.service["scheduler"].task_role_arn]
  subnet_ids          = module.network.app_subnet_ids
  security_group_ids  = [module.network.security_group_ids.ecs]
  kms_key_arn         = module.secrets.kms_key_arn
  jobs                = local.jobs
}

data "aws_caller_identity" "current" {}

resource "aws_ecs_cluster" "main" {
  name = local.name
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

# Services find each other as <service>.hakobu.internal: one A record per task, so a client spreads its
# calls over every replica (the optimizer's scale-out).
resource "aws_service_discovery_private_dns_namespace" "main" {
  name = "hakobu.internal"
  vpc  = module.network.vpc_id
}

# SES (seed: mail of the daily reports).
resource "aws_sesv2_configuration_set" "main" {
  configuration_set_name = local.name
  delivery_options {
    tls_policy = "REQUIRE"
  }
  reputation_options {
    reputation_metrics_enabled = true
  }
}

resource "aws_sesv2_email_identity" "main" {
  email_identity         = var.mail_domain
  configuration_set_name = aws_sesv2_configuration_set.main.configuration_set_name
}
