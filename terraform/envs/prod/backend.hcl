bucket         = "hakobu-terraform-state"
key            = "prod/terraform.tfstate"
region         = "ap-northeast-1"
encrypt        = true
dynamodb_table = "terraform-locks"
