# Until the stack became a module (terraform/stack), each environment declared these itself; the moves keep
# an applied environment's state (no replaced database, bucket or service). Harmless on a new state.

moved {
  from = module.secrets
  to   = module.hakobu.module.secrets
}

moved {
  from = module.network
  to   = module.hakobu.module.network
}

moved {
  from = module.database
  to   = module.hakobu.module.database
}

moved {
  from = module.cache
  to   = module.hakobu.module.cache
}

moved {
  from = module.storage
  to   = module.hakobu.module.storage
}

moved {
  from = module.load_balancer
  to   = module.hakobu.module.load_balancer
}

moved {
  from = module.observability
  to   = module.hakobu.module.observability
}

moved {
  from = module.scheduler
  to   = module.hakobu.module.scheduler
}

moved {
  from = module.service
  to   = module.hakobu.module.service
}

moved {
  from = aws_ecs_cluster.main
  to   = module.hakobu.aws_ecs_cluster.main
}

moved {
  from = aws_service_discovery_private_dns_namespace.main
  to   = module.hakobu.aws_service_discovery_private_dns_namespace.main
}

moved {
  from = aws_sesv2_configuration_set.main
  to   = module.hakobu.aws_sesv2_configuration_set.main
}

moved {
  from = aws_sesv2_email_identity.main
  to   = module.hakobu.aws_sesv2_email_identity.main
}
