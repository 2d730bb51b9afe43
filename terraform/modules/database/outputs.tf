output "endpoint" {
  description = "host:port"
  value       = aws_db_instance.main.endpoint
}

output "instance_id" {
  value = aws_db_instance.main.identifier
}

output "database_name" {
  value = var.database_name
}
