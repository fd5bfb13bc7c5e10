provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = "lfusys"
      Environment = "dev"
      ManagedBy   = "terraform"
    }
  }
}
