# S3 (seed §5.1): reports, proof-of-delivery files and archived history, each versioned, KMS-encrypted,
# private, with lifecycle rules, logging their access to a log bucket (which also takes the ALB's logs).

locals {
  buckets = {
    reports = {
      transition_days = null
      storage_class   = null
      expiry_days     = var.report_expiry_days
    }
    pod = {
      transition_days = var.pod_glacier_days
      storage_class   = "GLACIER"
      expiry_days     = null
    }
    archive = {
      transition_days = var.archive_glacier_days
      storage_class   = "DEEP_ARCHIVE"
      expiry_days     = null
    }
  }
}

resource "aws_s3_bucket" "data" {
  #checkov:skip=CKV_AWS_144:Cross-region replication to Osaka is the seed's DR plan (§8.2), a separate stack; not in this one.
  #checkov:skip=CKV2_AWS_62:No consumer of object events yet (the seed's image processor is not part of Hakobu).
  for_each = local.buckets
  bucket   = "${var.name}-${each.key}"
}

resource "aws_s3_bucket_public_access_block" "data" {
  for_each                = local.buckets
  bucket                  = aws_s3_bucket.data[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "data" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.data[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.data[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_logging" "data" {
  for_each      = local.buckets
  bucket        = aws_s3_bucket.data[each.key].id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "s3/${each.key}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "data" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.data[each.key].id

  rule {
    id     = "${each.key}-lifecycle"
    status = "Enabled"
    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }

    dynamic "transition" {
      for_each = local.buckets[each.key].transition_days == null ? [] : [1]
      content {
        days          = local.buckets[each.key].transition_days
        storage_class = local.buckets[each.key].storage_class
      }
    }

    dynamic "expiration" {
      for_each = local.buckets[each.key].expiry_days == null ? [] : [1]
      content {
        days = local.buckets[each.key].expiry_days
      }
    }

    noncurrent_version_expiration {
      noncurrent_days = 30
    }
  }
}

# -- access logs ----------------------------------------------------------------------------------

data "aws_elb_service_account" "main" {}

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_18:This is the access-log bucket itself; logging it into itself would loop.
  #checkov:skip=CKV_AWS_144:Access logs are not replicated to the DR region (seed §8.2 replicates uploads and reports).
  #checkov:skip=CKV2_AWS_62:Nothing consumes access-log object events.
  #checkov:skip=CKV_AWS_145:ALB access logs can only be written to SSE-S3 buckets, not SSE-KMS.
  bucket = "${var.name}-access-logs"
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
  # Seed §7.2: the ALB's access logs are kept 7 days.
  rule {
    id     = "expire-alb-logs"
    status = "Enabled"
    filter {
      prefix = "alb/"
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
    expiration {
      days = var.alb_log_expiry_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
  }
  rule {
    id     = "expire-access-logs"
    status = "Enabled"
    filter {
      prefix = "s3/"
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
    expiration {
      days = var.access_log_expiry_days
    }
    noncurrent_version_expiration {
      noncurrent_days = 7
    }
  }
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "AlbAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/alb/*"]
    principals {
      type        = "AWS"
      identifiers = [data.aws_elb_service_account.main.arn]
    }
  }
  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/s3/*"]
    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }
  }
  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.logs.json
}
