# A shared development environment in AWS (developers otherwise run docker-compose.yml, seed §1A): the
# smallest sizes, one NAT gateway, single-AZ, 1 day of backups, nothing protected from deletion.
# 10.2.0.0/16 keeps it apart from production (10.0/16) and staging (10.1/16) for peering.

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project     = "hakobu"
      Environment = "dev"
      ManagedBy   = "terraform"
    }
  }
}

# Everything else is the stack, the same in every environment (terraform/stack); only these values differ.
module "hakobu" {
  source = "../../stack"

  region          = var.region
  image           = var.image
  certificate_arn = var.certificate_arn
  mail_domain     = var.mail_domain
  alert_emails    = var.alert_emails

  env = {
    name                = "dev"
    vpc_cidr            = "10.2.0.0/16"
    nat_gateway_per_az  = false
    deletion_protection = false
    db_instance_class   = "db.t3.medium"
    db_storage_gb       = 20
    db_max_storage_gb   = 50
    db_multi_az         = false
    db_backup_days      = 1
    cache_node_type     = "cache.t3.micro"
    cache_replicas      = 0
    cache_snapshot_days = 1
  }

  sizes = {
    migrate   = { cpu = 256, memory = 512, desired = 0, min = 0, max = 0 }
    optimizer = { cpu = 1024, memory = 2048, desired = 1, min = 1, max = 1 }
    plans     = { cpu = 256, memory = 512, desired = 1, min = 1, max = 1 }
    tracking  = { cpu = 256, memory = 512, desired = 1, min = 1, max = 1 }
    reports   = { cpu = 256, memory = 512, desired = 1, min = 1, max = 1 }
    gateway   = { cpu = 256, memory = 512, desired = 1, min = 1, max = 1 }
    scheduler = { cpu = 1024, memory = 2048, desired = 0, min = 0, max = 0 }
  }
}
