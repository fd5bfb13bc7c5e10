# prod: highly available (two tasks per service in two AZs, a NAT gateway per AZ), protected
# against deletion, longer log retention. All wiring lives in modules/stack.
module "stack" {
  source = "../../modules/stack"

  prefix          = var.prefix
  domain_name     = var.domain_name
  certificate_arn = var.certificate_arn
  route53_zone_id = var.route53_zone_id
  alarm_email     = var.alarm_email
  mail_identity   = var.mail_identity
  image_tag       = var.image_tag

  vpc_cidr                    = "10.50.0.0/16"
  single_nat_gateway          = false
  deletion_protection         = true
  force_destroy               = false
  bucket_versioning           = true
  secret_recovery_window_days = 30
  log_retention_days          = 90
  log_level                   = "info"
  capacity_provider           = "FARGATE"
  access_logs_enabled         = true

  gateway_task    = { cpu = 1024, memory = 2048, desired_count = 2, min_count = 2, max_count = 8 }
  sessions_task   = { cpu = 1024, memory = 2048, desired_count = 2, min_count = 2, max_count = 8 }
  uploads_task    = { cpu = 2048, memory = 4096, desired_count = 2, min_count = 2, max_count = 12 }
  uploads_workers = 2
}
