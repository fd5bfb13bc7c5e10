# Alarms (SNS topic, optional email) and the dashboard, watching every service, target group and
# table the rest of the stack creates.

module "observability" {
  source = "../observability"

  prefix              = var.prefix
  alarm_email         = var.alarm_email
  assembly_queue_name = module.queues.assembly_queue_name
  assembly_dlq_name   = module.queues.assembly_dlq_name
  alb_arn_suffix      = module.edge.alb_arn_suffix
  web_acl_name        = module.edge.web_acl_name
  cluster_name        = module.cluster.cluster_name

  service_names = {
    gateway  = module.gateway.service_name
    sessions = module.sessions.service_name
    uploads  = module.uploads.service_name
  }
  target_group_arn_suffixes = {
    gateway = module.edge.gateway_target_group_arn_suffix
    uploads = module.edge.uploads_target_group_arn_suffix
  }
  table_names = {
    users          = module.data.users_table_name
    refresh-tokens = module.data.refresh_tokens_table_name
    uploads        = module.data.uploads_table_name
    files          = module.data.files_table_name
  }
}
