output "alb_dns_name" {
  description = "Point the public host name (the ACM certificate's) here."
  value       = module.hakobu.alb_dns_name
}

output "schedules" {
  value = module.hakobu.schedules
}

output "migrate_task_definition" {
  description = "Run once per deploy: aws ecs run-task --task-definition <this> ..."
  value       = module.hakobu.migrate_task_definition
}
