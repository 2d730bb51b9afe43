# Production (seed §1, §2.1, §3, §4): two zones, NAT per zone, Multi-AZ RDS db.r6g.xlarge with 7 days of
# backups, Redis cache.r6g.large with a replica and 5 days of snapshots.

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      Project     = "hakobu"
      Environment = "prod"
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
    name                = "prod"
    vpc_cidr            = "10.0.0.0/16"
    nat_gateway_per_az  = true
    deletion_protection = true
    db_instance_class   = "db.r6g.xlarge"
    db_storage_gb       = 500
    db_max_storage_gb   = 2000
    db_multi_az         = true
    db_backup_days      = 7
    cache_node_type     = "cache.r6g.large"
    cache_replicas      = 1
    cache_snapshot_days = 5
  }

  # Task sizes and counts: the seed's backend API (1 vCPU, 2 GB, 2 to 10 tasks) for the gateway; the
  # optimizer gets 2 vCPU for its two solver workers and scales out to 6 for the nightly batch.
  sizes = {
    migrate   = { cpu = 512, memory = 1024, desired = 0, min = 0, max = 0 }
    optimizer = { cpu = 2048, memory = 4096, desired = 2, min = 2, max = 6 }
    plans     = { cpu = 1024, memory = 2048, desired = 2, min = 2, max = 6 }
    tracking  = { cpu = 1024, memory = 2048, desired = 2, min = 2, max = 6 }
    reports   = { cpu = 512, memory = 1024, desired = 1, min = 1, max = 2 }
    gateway   = { cpu = 1024, memory = 2048, desired = 2, min = 2, max = 10 }
    scheduler = { cpu = 2048, memory = 4096, desired = 0, min = 0, max = 0 }
  }
}
