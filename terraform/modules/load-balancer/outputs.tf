output "dns_name" {
  value = aws_lb.main.dns_name
}

output "arn_suffix" {
  description = "For the CloudWatch metrics of the ALB."
  value       = aws_lb.main.arn_suffix
}

output "target_group_arns" {
  description = "gateway, osmand and each gRPC route -> target group ARN."
  value = merge(
    { gateway = aws_lb_target_group.gateway.arn, osmand = aws_lb_target_group.osmand.arn },
    { for k, tg in aws_lb_target_group.grpc : k => tg.arn },
  )
}

output "target_group_arn_suffixes" {
  value = merge(
    { gateway = aws_lb_target_group.gateway.arn_suffix, osmand = aws_lb_target_group.osmand.arn_suffix },
    { for k, tg in aws_lb_target_group.grpc : k => tg.arn_suffix },
  )
}
