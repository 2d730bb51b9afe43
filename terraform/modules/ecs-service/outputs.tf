output "task_definition_arn" {
  value = aws_ecs_task_definition.main.arn
}

output "task_role_arn" {
  value = aws_iam_role.task.arn
}

output "execution_role_arn" {
  value = aws_iam_role.execution.arn
}

output "service_name" {
  value = var.run_as_service ? aws_ecs_service.main[0].name : null
}
