terraform {
  # 1.10+ for the S3 backend's native locking (use_lockfile); the modules themselves need 1.6.
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }
}
