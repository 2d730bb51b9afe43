bucket         = "hakobu-terraform-state"
key            = "stg/terraform.tfstate"
region         = "ap-northeast-1"
encrypt        = true
dynamodb_table = "terraform-locks"
