# One ECR repository per service image (built from gateway/Dockerfile, sessions/Dockerfile,
# uploads/Dockerfile at the repository root).

locals {
  services = toset(["gateway", "sessions", "uploads"])
}

resource "aws_ecr_repository" "this" {
  for_each = local.services

  name                 = "${var.prefix}/${each.key}"
  image_tag_mutability = var.image_tag_mutability
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep the ${var.keep_images} most recent images"
      selection = {
        tagStatus   = "any"
        countType   = "imageCountMoreThan"
        countNumber = var.keep_images
      }
      action = { type = "expire" }
    }]
  })
}
