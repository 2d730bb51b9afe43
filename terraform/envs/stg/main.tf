# Staging (seed §1B): about half of production, one zone's worth of NAT, single-AZ RDS db.t3.large with
# 3 days of backups, Redis cache.t3.medium without replica.

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project     = "hakobu"
      Environment = "stg"
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
    name                = "stg"
    vpc_cidr            = "10.1.0.0/16"
    nat_gateway_per_az  = false
    deletion_protection = true
    db_instance_class   = "db.t3.large"
    db_storage_gb       = 100
    db_max_storage_gb   = 200
    db_multi_az         = false
    db_backup_days      = 3
    cache_node_type     = "cache.t3.medium"
    cache_replicas      = 0
    cache_snapshot_days = 1
  }

  # Seed §1B.3: 0.5 vCPU and 1 GB, 2 tasks (1 to 4) for the API.
  sizes = {
    migrate   = { cpu = 512, memory = 1024, desired = 0, min = 0, max = 0 }
    optimizer = { cpu = 1024, memory = 2048, desired = 1, min = 1, max = 2 }
    plans     = { cpu = 512, memory = 1024, desired = 1, min = 1, max = 2 }
    tracking  = { cpu = 512, memory = 1024, desired = 1, min = 1, max = 2 }
    reports   = { cpu = 512, memory = 1024, desired = 1, min = 1, max = 1 }
    gateway   = { cpu = 512, memory = 1024, desired = 2, min = 1, max = 4 }
    scheduler = { cpu = 1024, memory = 2048, desired = 0, min = 0, max = 0 }
  }
}
