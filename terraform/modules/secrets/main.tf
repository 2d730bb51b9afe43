# The environment's KMS key (logs, secrets, buckets, database, cache, alerts) and the secrets of the
# services (seed §6.3), stored in Secrets Manager and handed to the task definitions by ARN: the services
# read them as the settings DATABASE_URL, REDIS_URL, HAKOBU_JWT_SECRET, HAKOBU_SERVICE_TOKEN and
# HAKOBU_TRACKING_LINK_SECRET.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}

# A key policy: "*" is this key itself, and the account root administers it (the AWS default).
data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_109:Key policy; resource "*" means this key only.
  #checkov:skip=CKV_AWS_111:Key policy; resource "*" means this key only.
  #checkov:skip=CKV_AWS_356:Key policy; resource "*" means this key only.
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "ServicesEncrypt"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type = "Service"
      identifiers = [
        "logs.${data.aws_region.current.name}.amazonaws.com",
        "sns.amazonaws.com",
        "cloudwatch.amazonaws.com",
        "delivery.logs.amazonaws.com",
      ]
    }
  }
}

resource "aws_kms_key" "main" {
  description             = "${var.name}: logs, secrets, buckets, database, cache"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.key.json
}

resource "aws_kms_alias" "main" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.main.key_id
}

resource "random_password" "database" {
  length  = 40
  special = false
}

resource "random_password" "redis" {
  length  = 64
  special = false
}

resource "random_password" "jwt" {
  length  = 64
  special = false
}

resource "random_password" "service_token" {
  length  = 64
  special = false
}

resource "random_password" "tracking_link" {
  length  = 64
  special = false
}

locals {
  # HAKOBU_TRACKING_LINK_SECRET signs the consignees' tracking links: one key for every tracking replica.
  values = {
    DATABASE_URL                = "postgresql://${var.database_name}:${random_password.database.result}@${var.database_endpoint}/${var.database_name}?sslmode=require"
    REDIS_URL                   = "rediss://:${random_password.redis.result}@${var.redis_endpoint}:6379/0"
    HAKOBU_JWT_SECRET           = random_password.jwt.result
    HAKOBU_SERVICE_TOKEN        = random_password.service_token.result
    HAKOBU_TRACKING_LINK_SECRET = random_password.tracking_link.result
  }
}

resource "aws_secretsmanager_secret" "setting" {
  #checkov:skip=CKV2_AWS_57:Rotation is a new random_password (taint it) and a rolling deploy; the seed's 30/90/180-day rotation Lambda is not part of this stack yet.
  for_each                = toset(keys(local.values))
  name                    = "${var.name}/${each.key}"
  description             = "Hakobu setting ${each.key}"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = var.recovery_window_days
}

resource "aws_secretsmanager_secret_version" "setting" {
  for_each      = aws_secretsmanager_secret.setting
  secret_id     = each.value.id
  secret_string = local.values[each.key]
}
