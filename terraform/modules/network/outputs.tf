output "vpc_id" {
  value = aws_vpc.main.id
}

output "public_subnet_ids" {
  value = aws_subnet.public[*].id
}

output "app_subnet_ids" {
  value = aws_subnet.app[*].id
}

output "db_subnet_ids" {
  value = aws_subnet.db[*].id
}

output "security_group_ids" {
  description = "alb, ecs, db and cache security groups."
  value = {
    alb   = aws_security_group.alb.id
    ecs   = aws_security_group.ecs.id
    db    = aws_security_group.db.id
    cache = aws_security_group.cache.id
  }
}
