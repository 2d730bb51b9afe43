output "bucket_names" {
  description = "reports, pod (proof of delivery) and archive bucket names."
  value       = { for k, b in aws_s3_bucket.data : k => b.bucket }
}

output "bucket_arns" {
  value = { for k, b in aws_s3_bucket.data : k => b.arn }
}

output "log_bucket" {
  value = aws_s3_bucket.logs.bucket
}
