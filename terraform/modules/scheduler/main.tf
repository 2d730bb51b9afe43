# EventBridge Scheduler (seed §3.3): the batch jobs the compose stack's `hakobu scheduler` runs in one
# process run here as one-off Fargate tasks of the scheduler's task definition, each with its own command,
# on cron schedules in Asia/Tokyo: the nightly re-plan (22:00 JST), the daily report (06:00 JST) and
# history retention. Failed invocations are retried, then kept in an encrypted dead-letter queue.

resource "aws_scheduler_schedule_group" "main" {
  name = var.name
}

resource "aws_sqs_queue" "dead_letters" {
  name                              = "${var.name}-schedule-dead-letters"
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
  message_retention_seconds         = 1209600
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "run" {
  statement {
    actions   = ["ecs:RunTask"]
    resources = ["${join(":", slice(split(":", var.task_definition_arn), 0, 6))}:*"]
    condition {
      test     = "ArnLike"
      variable = "ecs:cluster"
      values   = [var.cluster_arn]
    }
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = var.role_arns
  }
  statement {
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letters.arn]
  }
  statement {
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role" "main" {
  name               = "${var.name}-scheduler"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_role_policy" "main" {
  name   = "run-jobs"
  role   = aws_iam_role.main.id
  policy = data.aws_iam_policy_document.run.json
}

resource "aws_scheduler_schedule" "job" {
  for_each                     = var.jobs
  name                         = each.key
  group_name                   = aws_scheduler_schedule_group.main.name
  schedule_expression          = each.value.cron
  schedule_expression_timezone = "Asia/Tokyo"
  kms_key_arn                  = var.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.cluster_arn
    role_arn = aws_iam_role.main.arn
    input = jsonencode({
      containerOverrides = [{ name = var.container_name, command = each.value.command }]
    })

    ecs_parameters {
      task_definition_arn = var.task_definition_arn
      launch_type         = "FARGATE"
      platform_version    = "LATEST"
      task_count          = 1
      network_configuration {
        subnets          = var.subnet_ids
        security_groups  = var.security_group_ids
        assign_public_ip = false
      }
    }

    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 3600
    }

    dead_letter_config {
      arn = aws_sqs_queue.dead_letters.arn
    }
  }
}
