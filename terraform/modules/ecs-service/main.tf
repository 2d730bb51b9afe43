# One Hakobu service on ECS Fargate: its task definition (the image, command, ports, health check, settings
# and secrets that docker-compose.yml gives the same service), and unless run_as_service is false an ECS
# service in the private subnets with Cloud Map registration, target groups and autoscaling (CPU, and for
# the optimizer the depth of its queue).

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

# -- execution role: pull the image, write logs, read exactly this service's secrets ----------------

resource "aws_iam_role" "execution" {
  name               = "${var.prefix}-${var.name}-execution"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "secrets" {
  count = length(var.secrets) > 0 ? 1 : 0
  statement {
    actions   = ["secretsmanager:GetSecretValue"]
    resources = values(var.secrets)
  }
  statement {
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "secrets" {
  count  = length(var.secrets) > 0 ? 1 : 0
  name   = "read-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.secrets[0].json
}

# -- task role: what the code itself may call -------------------------------------------------------

resource "aws_iam_role" "task" {
  name               = "${var.prefix}-${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "task" {
  count  = var.task_policy_json == null ? 0 : 1
  name   = "service"
  role   = aws_iam_role.task.id
  policy = var.task_policy_json
}

# The collector writes the EMF metrics into the service's log group.
data "aws_iam_policy_document" "emf" {
  statement {
    actions = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = [
      "arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:${var.log_group_name}:*"
    ]
  }
}

resource "aws_iam_role_policy" "emf" {
  count  = var.collector_image != null ? 1 : 0
  name   = "collector-metrics"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.emf.json
}

resource "aws_iam_role_policy_attachment" "xray" {
  role       = aws_iam_role.task.name
  policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

data "aws_caller_identity" "current" {}

locals {
  collector = var.collector_image != null
  # The service exports its spans to the collector beside it (HAKOBU_OTLP_ENDPOINT), which sends them to
  # X-Ray and the service's Prometheus metrics to CloudWatch (namespace Hakobu, dimension service): the
  # optimizer's queue metric for autoscaling comes from there.
  environment = merge(var.environment, local.collector ? { HAKOBU_OTLP_ENDPOINT = "http://127.0.0.1:4317" } : {})
  collector_config = {
    receivers = merge(
      { otlp = { protocols = { grpc = { endpoint = "127.0.0.1:4317" } } } },
      var.metrics_port == null ? {} : {
        prometheus = { config = { scrape_configs = [{
          job_name        = "hakobu-${var.name}"
          scrape_interval = "30s"
          static_configs  = [{ targets = ["127.0.0.1:${var.metrics_port}"], labels = { service = var.name } }]
        }] } }
      },
    )
    processors = { batch = {} }
    exporters = {
      awsxray = { region = var.region }
      awsemf = {
        region                  = var.region
        namespace               = "Hakobu"
        log_group_name          = var.log_group_name
        log_stream_name         = "emf/${var.name}"
        dimension_rollup_option = "NoDimensionRollup"
        metric_declarations = [{
          dimensions            = [["service"]]
          metric_name_selectors = ["^hakobu_operations_running$", "^hakobu_[a-z_]+_total$"]
        }]
      }
    }
    service = {
      pipelines = merge(
        { traces = { receivers = ["otlp"], processors = ["batch"], exporters = ["awsxray"] } },
        var.metrics_port == null ? {} : {
          metrics = { receivers = ["prometheus"], processors = ["batch"], exporters = ["awsemf"] }
        },
      )
    }
  }
  collector_container = {
    name                   = "otel-collector"
    image                  = coalesce(var.collector_image, "none")
    essential              = false
    readonlyRootFilesystem = true
    environment            = [{ name = "AOT_CONFIG_CONTENT", value = yamlencode(local.collector_config) }]
    mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_name
        awslogs-region        = var.region
        awslogs-stream-prefix = "otel-collector"
      }
    }
  }
  container = {
    name                   = var.name
    image                  = var.image
    command                = var.command
    essential              = true
    readonlyRootFilesystem = true
    user                   = "10001:10001"
    dependsOn              = local.collector ? [{ containerName = "otel-collector", condition = "START" }] : []
    portMappings           = [for p in var.ports : { containerPort = p, protocol = "tcp" }]
    environment            = [for k in sort(keys(local.environment)) : { name = k, value = local.environment[k] }]
    secrets                = [for k in sort(keys(var.secrets)) : { name = k, valueFrom = var.secrets[k] }]
    # The root filesystem is read-only: local state (compiled graphs, objects) and /tmp are task storage.
    mountPoints = [
      { sourceVolume = "var", containerPath = "/app/var", readOnly = false },
      { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
    ]
    stopTimeout = 30
    healthCheck = var.health_check == null ? null : {
      command     = var.health_check
      interval    = 15
      timeout     = 5
      retries     = 3
      startPeriod = 30
    }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = var.log_group_name
        awslogs-region        = var.region
        awslogs-stream-prefix = var.name
      }
    }
  }
}

resource "aws_ecs_task_definition" "main" {
  family                   = "${var.prefix}-${var.name}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(local.collector ? [local.container, local.collector_container] : [local.container])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  volume {
    name = "var"
  }

  volume {
    name = "tmp"
  }
}

# -- the service ------------------------------------------------------------------------------------

resource "aws_service_discovery_service" "main" {
  count = var.run_as_service && var.discovery_namespace_id != null ? 1 : 0
  name  = var.name

  dns_config {
    namespace_id   = var.discovery_namespace_id
    routing_policy = "MULTIVALUE"
    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}

resource "aws_ecs_service" "main" {
  count                              = var.run_as_service ? 1 : 0
  name                               = var.name
  cluster                            = var.cluster_arn
  task_definition                    = aws_ecs_task_definition.main.arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  propagate_tags                     = "SERVICE"
  enable_execute_command             = false

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  dynamic "load_balancer" {
    for_each = var.load_balancers
    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = var.name
      container_port   = load_balancer.value.container_port
    }
  }

  dynamic "service_registries" {
    for_each = aws_service_discovery_service.main
    content {
      registry_arn = service_registries.value.arn
    }
  }

  lifecycle {
    ignore_changes = [desired_count] # autoscaling owns it after the first deploy
  }
}

# -- autoscaling (seed §3.2: CPU 70 %, scale in after 300 s, out after 60 s) -------------------------

resource "aws_appautoscaling_target" "main" {
  count              = var.run_as_service && var.max_count > var.min_count ? 1 : 0
  service_namespace  = "ecs"
  resource_id        = "service/${split("/", var.cluster_arn)[1]}/${aws_ecs_service.main[0].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_count
  max_capacity       = var.max_count
}

resource "aws_appautoscaling_policy" "cpu" {
  count              = length(aws_appautoscaling_target.main)
  name               = "${var.prefix}-${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.main[0].service_namespace
  resource_id        = aws_appautoscaling_target.main[0].resource_id
  scalable_dimension = aws_appautoscaling_target.main[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "queue" {
  count              = length(aws_appautoscaling_target.main) > 0 && var.queue_metric != null ? 1 : 0
  name               = "${var.prefix}-${var.name}-queue"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.main[0].service_namespace
  resource_id        = aws_appautoscaling_target.main[0].resource_id
  scalable_dimension = aws_appautoscaling_target.main[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.queue_metric.target
    scale_in_cooldown  = 300
    scale_out_cooldown = 60
    customized_metric_specification {
      namespace   = var.queue_metric.namespace
      metric_name = var.queue_metric.name
      statistic   = "Average"
      dimensions {
        name  = "service"
        value = var.name
      }
    }
  }
}
