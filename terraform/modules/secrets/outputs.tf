output "kms_key_arn" {
  value = aws_kms_key.main.arn
}

output "secret_arns" {
  description = "Setting name -> Secrets Manager ARN, for the task definitions' secrets."
  value       = { for k, s in aws_secretsmanager_secret.setting : k => s.arn }
}

output "database_password" {
  value     = random_password.database.result
  sensitive = true
}

output "redis_auth_token" {
  value     = random_password.redis.result
  sensitive = true
}
