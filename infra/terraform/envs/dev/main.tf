# dev: small, cheap, disposable. All wiring lives in modules/stack; only sizes and safety
# settings are chosen here.
module "stack" {
  source = "../../modules/stack"

  prefix          = var.prefix
  domain_name     = var.domain_name
  certificate_arn = var.certificate_arn
  route53_zone_id = var.route53_zone_id
  alarm_email     = var.alarm_email
  mail_identity   = var.mail_identity
  image_tag       = var.image_tag

  vpc_cidr                    = "10.40.0.0/16"
  single_nat_gateway          = true
  deletion_protection         = false
  force_destroy               = true
  bucket_versioning           = false
  secret_recovery_window_days = 0
  log_retention_days          = 14
  log_level                   = "debug"
  capacity_provider           = "FARGATE_SPOT"
  access_logs_enabled         = false

  gateway_task    = { cpu = 256, memory = 512, desired_count = 1, min_count = 1, max_count = 2 }
  sessions_task   = { cpu = 256, memory = 512, desired_count = 1, min_count = 1, max_count = 2 }
  uploads_task    = { cpu = 512, memory = 1024, desired_count = 1, min_count = 1, max_count = 2 }
  uploads_workers = 2
}
