# Every Hakobu service as in docker-compose.yml: the same command, ports and settings (the README's
# Configuration table). Secrets (DATABASE_URL, REDIS_URL, HAKOBU_JWT_SECRET, HAKOBU_SERVICE_TOKEN,
# HAKOBU_TRACKING_LINK_SECRET) come from
# Secrets Manager; services reach each other at <service>.hakobu.internal. tests/unit/deploy compares
# this file with docker-compose.yml.

locals {
  services = {
    migrate = {
      command        = ["db", "migrate"]
      ports          = []
      health         = null
      run_as_service = false
      environment = {
        HAKOBU_LOG_LEVEL = "INFO"
      }
      secrets       = ["DATABASE_URL"]
      target_groups = []
    }

    optimizer = {
      command        = ["serve", "optimizer"]
      ports          = [50051, 9464]
      health         = ["CMD", "python", "-m", "server.platform.healthcheck", "grpc", "127.0.0.1:50051"]
      run_as_service = true
      environment = {
        HAKOBU_LOG_LEVEL         = "INFO"
        HAKOBU_OPTIMIZER_ADDRESS = "0.0.0.0:50051"
        HAKOBU_WORKERS           = "2"
        HAKOBU_METRICS_PORT      = "9464"
        HAKOBU_METRICS_ADDRESS   = "0.0.0.0"
      }
      secrets       = ["REDIS_URL", "HAKOBU_JWT_SECRET", "HAKOBU_SERVICE_TOKEN"]
      target_groups = [{ name = "optimizer", port = 50051 }]
    }

    plans = {
      command        = ["serve", "plans"]
      ports          = [50052, 9464]
      health         = ["CMD", "python", "-m", "server.platform.healthcheck", "grpc", "127.0.0.1:50052"]
      run_as_service = true
      environment = {
        HAKOBU_LOG_LEVEL        = "INFO"
        HAKOBU_PLANS_ADDRESS    = "0.0.0.0:50052"
        HAKOBU_OPTIMIZER_TARGET = "optimizer.hakobu.internal:50051"
        HAKOBU_METRICS_PORT     = "9464"
        HAKOBU_METRICS_ADDRESS  = "0.0.0.0"
      }
      secrets       = ["DATABASE_URL", "REDIS_URL", "HAKOBU_JWT_SECRET", "HAKOBU_SERVICE_TOKEN"]
      target_groups = [{ name = "plans", port = 50052 }]
    }

    tracking = {
      command        = ["serve", "tracking"]
      ports          = [50053, 5055, 9464]
      health         = ["CMD", "python", "-m", "server.platform.healthcheck", "grpc", "127.0.0.1:50053"]
      run_as_service = true
      environment = {
        HAKOBU_LOG_LEVEL        = "INFO"
        HAKOBU_TRACKING_ADDRESS = "0.0.0.0:50053"
        HAKOBU_OSMAND_ADDRESS   = "0.0.0.0:5055"
        HAKOBU_OBJECT_STORE     = "s3://${module.storage.bucket_names["pod"]}"
        HAKOBU_METRICS_PORT     = "9464"
        HAKOBU_METRICS_ADDRESS  = "0.0.0.0"
      }
      secrets       = ["DATABASE_URL", "REDIS_URL", "HAKOBU_JWT_SECRET", "HAKOBU_SERVICE_TOKEN", "HAKOBU_TRACKING_LINK_SECRET"]
      target_groups = [{ name = "tracking", port = 50053 }, { name = "osmand", port = 5055 }]
    }

    reports = {
      command        = ["serve", "reports"]
      ports          = [50054, 9464]
      health         = ["CMD", "python", "-m", "server.platform.healthcheck", "grpc", "127.0.0.1:50054"]
      run_as_service = true
      environment = {
        HAKOBU_LOG_LEVEL       = "INFO"
        HAKOBU_REPORTS_ADDRESS = "0.0.0.0:50054"
        HAKOBU_SMTP_URL        = "smtp://email-smtp.${var.region}.amazonaws.com:587"
        HAKOBU_MAIL_FROM       = "hakobu@${var.mail_domain}"
        HAKOBU_OBJECT_STORE    = "s3://${module.storage.bucket_names["reports"]}"
        HAKOBU_METRICS_PORT    = "9464"
        HAKOBU_METRICS_ADDRESS = "0.0.0.0"
      }
      secrets       = ["DATABASE_URL", "HAKOBU_JWT_SECRET", "HAKOBU_SERVICE_TOKEN"]
      target_groups = [{ name = "reports", port = 50054 }]
    }

    gateway = {
      command        = ["serve", "gateway"]
      ports          = [8080, 9464]
      health         = ["CMD", "python", "-m", "server.platform.healthcheck", "http", "http://127.0.0.1:8080/healthz"]
      run_as_service = true
      environment = {
        HAKOBU_LOG_LEVEL        = "INFO"
        HAKOBU_GATEWAY_ADDRESS  = "0.0.0.0:8080"
        HAKOBU_OPTIMIZER_TARGET = "optimizer.hakobu.internal:50051"
        HAKOBU_PLANS_TARGET     = "plans.hakobu.internal:50052"
        HAKOBU_TRACKING_TARGET  = "tracking.hakobu.internal:50053"
        HAKOBU_REPORTS_TARGET   = "reports.hakobu.internal:50054"
        HAKOBU_METRICS_PORT     = "9464"
        HAKOBU_METRICS_ADDRESS  = "0.0.0.0"
      }
      secrets       = ["REDIS_URL", "HAKOBU_JWT_SECRET", "HAKOBU_SERVICE_TOKEN"]
      target_groups = [{ name = "gateway", port = 8080 }]
    }

    # The compose stack runs `hakobu scheduler` (the cron loop); here EventBridge Scheduler starts this
    # task definition per job with the job's command (local.jobs).
    scheduler = {
      command        = ["scheduler"]
      ports          = []
      health         = null
      run_as_service = false
      environment = {
        HAKOBU_LOG_LEVEL        = "INFO"
        HAKOBU_ORGANIZATION     = "ORG-001"
        HAKOBU_OPTIMIZER_TARGET = "optimizer.hakobu.internal:50051"
        HAKOBU_SMTP_URL         = "smtp://email-smtp.${var.region}.amazonaws.com:587"
        HAKOBU_MAIL_FROM        = "hakobu@${var.mail_domain}"
        HAKOBU_OBJECT_STORE     = "s3://${module.storage.bucket_names["reports"]}"
      }
      secrets       = ["DATABASE_URL", "REDIS_URL", "HAKOBU_SERVICE_TOKEN"]
      target_groups = []
    }
  }

  # Native gRPC through the ALB (HTTPS, path = /package.Service/Method).
  grpc_routes = {
    optimizer = { port = 50051, paths = ["/hakobu.optimizer.v1.*", "/hakobu.geo.v1.*"] }
    plans     = { port = 50052, paths = ["/hakobu.plans.v1.*", "/hakobu.fleet.v1.*", "/hakobu.identity.v1.*"] }
    tracking  = { port = 50053, paths = ["/hakobu.tracking.v1.*"] }
    reports   = { port = 50054, paths = ["/hakobu.reports.v1.*"] }
  }

  # Seed §7.2: 30 days for the services' logs, 14 for the batch jobs.
  log_retention_days = { for k, s in local.services : k => s.run_as_service ? 30 : 14 }

  # EventBridge Scheduler, Asia/Tokyo: the nightly re-plan of tomorrow (22:00, spread over the optimizer's
  # replicas), yesterday's reports made and mailed (06:00) and the position history's retention with its
  # archive (03:30): the built-in schedule's jobs, each run once by the scheduler's task.
  jobs = {
    nightly-replan = {
      cron    = "cron(0 22 * * ? *)"
      command = ["replan", "--date", "tomorrow", "--all", "--concurrency", "4", "--optimizer", "optimizer.hakobu.internal:50051"]
    }
    daily-reports = {
      cron    = "cron(0 6 * * ? *)"
      command = ["scheduler", "--once", "--job", "daily-reports"]
    }
    position-retention = {
      cron    = "cron(30 3 * * ? *)"
      command = ["scheduler", "--once", "--job", "position-retention"]
    }
  }
}

data "aws_iam_policy_document" "tracking" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${module.storage.bucket_arns["pod"]}/*"]
  }
  statement {
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.secrets.kms_key_arn]
  }
}

data "aws_iam_policy_document" "reports" {
  statement {
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${module.storage.bucket_arns["reports"]}/*"]
  }
  statement {
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [module.secrets.kms_key_arn]
  }
  statement {
    actions   = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [aws_sesv2_email_identity.main.arn]
  }
}

module "service" {
  for_each = local.services
  source   = "../modules/ecs-service"

  name           = each.key
  prefix         = local.name
  cluster_arn    = aws_ecs_cluster.main.arn
  image          = var.image
  command        = each.value.command
  ports          = each.value.ports
  environment    = each.value.environment
  secrets        = { for s in each.value.secrets : s => module.secrets.secret_arns[s] }
  health_check   = each.value.health
  run_as_service = each.value.run_as_service
  cpu            = var.sizes[each.key].cpu
  memory         = var.sizes[each.key].memory
  desired_count  = var.sizes[each.key].desired
  min_count      = var.sizes[each.key].min
  max_count      = var.sizes[each.key].max
  # The optimizer also scales on its queue: running optimizations per task (hakobu_operations_running,
  # published to CloudWatch by the collector beside each task, which also sends the traces to X-Ray).
  queue_metric = each.key == "optimizer" ? { namespace = "Hakobu", name = "hakobu_operations_running", target = 2 } : null
  metrics_port = contains(each.value.ports, 9464) ? 9464 : null
  load_balancers = [
    for tg in each.value.target_groups :
    { target_group_arn = module.load_balancer.target_group_arns[tg.name], container_port = tg.port }
  ]
  subnet_ids             = module.network.app_subnet_ids
  security_group_ids     = [module.network.security_group_ids.ecs]
  discovery_namespace_id = aws_service_discovery_private_dns_namespace.main.id
  log_group_name         = module.observability.log_group_names[each.key]
  region                 = var.region
  kms_key_arn            = module.secrets.kms_key_arn
  task_policy_json = (
    each.key == "tracking" ? data.aws_iam_policy_document.tracking.json :
    each.key == "reports" ? data.aws_iam_policy_document.reports.json : null
  )
}
