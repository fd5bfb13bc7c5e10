# The whole lfusys deployment, once. envs/dev and envs/prod call this module with different
# variables and contain no wiring of their own.
#
#   internet ──443──▶ ALB ──/uploads/*──▶ uploads workers ──┐ gRPC :50051
#                         └──everything else──▶ gateway ────┴──────────────▶ sessions
#   gateway ─▶ DynamoDB users, refresh-tokens        sessions ─▶ DynamoDB uploads, files
#   uploads ─▶ S3 part URLs, SQS send                sessions ─▶ S3 multipart, SQS consume
#   browser ─▶ S3 UploadPart on URLs sessions presigns (direct transfer), GET on presigned downloads

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  app_origin = "https://${var.domain_name}"

  # OpenTelemetry traces to X-Ray, the same sampling in every service (docs/tracing.md).
  tracing = var.tracing_enabled ? {
    sampling_ratio  = var.trace_sampling_ratio
    collector_image = var.otel_collector_image
  } : null

  # gateway and uploads reach sessions through Cloud Map: sessions.<prefix>.internal:50051, over
  # TLS with the certificate sessions makes for that name (GRPC_TLS_NAME) on its first start.
  sessions_host    = "sessions.${module.cluster.namespace_name}"
  sessions_address = "${local.sessions_host}:50051"

  # The uploads workers reach the gateway inside the VPC the same way (gateway.<prefix>.internal),
  # for its JWKS: not through the public ALB, which from a private subnet means out through NAT
  # and back in from the internet (NAT data charges, the WAF's rate limits, and a dependency on
  # public DNS and the certificate for a call between two of our own tasks).
  gateway_internal_url = "http://gateway.${module.cluster.namespace_name}:8080"

  log_group_names = {
    gateway  = "/ecs/${var.prefix}/gateway"
    sessions = "/ecs/${var.prefix}/sessions"
    uploads  = "/ecs/${var.prefix}/uploads"
  }
  log_group_arn_base = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group"
}

module "network" {
  source = "../network"

  prefix             = var.prefix
  vpc_cidr           = var.vpc_cidr
  single_nat_gateway = var.single_nat_gateway
  gateway_port       = 8080
  uploads_port       = 8081
  sessions_grpc_port = 50051
  sessions_ops_port  = 9091
}

module "data" {
  source = "../data"

  prefix              = var.prefix
  deletion_protection = var.deletion_protection
}

module "storage" {
  source = "../storage"

  prefix             = var.prefix
  app_origins        = [local.app_origin]
  force_destroy      = var.force_destroy
  versioning_enabled = var.bucket_versioning
}

module "queues" {
  source = "../queues"

  prefix                     = var.prefix
  visibility_timeout_seconds = var.assembly_visibility_timeout_seconds
}

module "secrets" {
  source = "../secrets"

  prefix                  = var.prefix
  recovery_window_in_days = var.secret_recovery_window_days
  github_enabled          = var.github_client_id != ""
  google_enabled          = var.google_client_id != ""
  oidc_providers_enabled  = var.oidc_providers_enabled
}

module "registry" {
  source = "../registry"

  prefix               = var.prefix
  image_tag_mutability = var.image_tag_mutability
  force_delete         = var.force_destroy
}

module "mail" {
  source = "../mail"

  # Mail goes out from the app's own domain unless another identity is chosen; the app's zone
  # holds DKIM records only for the app's own domain.
  identity        = coalesce(var.mail_identity, var.domain_name)
  route53_zone_id = var.mail_identity == null ? var.route53_zone_id : null
}

module "iam" {
  source = "../iam"

  prefix                   = var.prefix
  users_table_arn          = module.data.users_table_arn
  refresh_tokens_table_arn = module.data.refresh_tokens_table_arn
  uploads_table_arn        = module.data.uploads_table_arn
  files_table_arn          = module.data.files_table_arn
  bucket_arn               = module.storage.bucket_arn
  assembly_queue_arn       = module.queues.assembly_queue_arn
  secret_arns              = module.secrets.injected_secret_arns
  key_secret_arns = {
    jwt_private_keys          = module.secrets.jwt_private_keys_secret_arn
    gateway_caller_key        = module.secrets.sessions_caller_key_secret_arns.gateway
    gateway_caller_public_key = module.secrets.sessions_caller_public_key_secret_arns.gateway
    uploads_caller_key        = module.secrets.sessions_caller_key_secret_arns.uploads
    uploads_caller_public_key = module.secrets.sessions_caller_public_key_secret_arns.uploads
    sessions_tls              = module.secrets.sessions_grpc_tls_secret_arn
    sessions_tls_ca           = module.secrets.sessions_grpc_tls_ca_secret_arn
  }
  ecr_repository_arns = values(module.registry.repository_arns)
  log_group_arns      = [for name in values(local.log_group_names) : "${local.log_group_arn_base}:${name}"]
  mail_identity_arn   = module.mail.identity_arn
  mail_from_address   = module.mail.from_address
  tracing_enabled     = var.tracing_enabled
}

module "cluster" {
  source = "../cluster"

  prefix = var.prefix
  vpc_id = module.network.vpc_id
}

module "edge" {
  source = "../edge"

  prefix               = var.prefix
  vpc_id               = module.network.vpc_id
  public_subnet_ids    = module.network.public_subnet_ids
  security_group_id    = module.network.alb_security_group_id
  certificate_arn      = var.certificate_arn
  domain_name          = var.domain_name
  route53_zone_id      = var.route53_zone_id
  gateway_port         = 8080
  uploads_port         = 8081
  health_check_path    = "/readyz" # readiness; the containers' own checks use /healthz (liveness)
  deletion_protection  = var.deletion_protection
  force_destroy        = var.force_destroy
  idle_timeout_seconds = 60 # below gateway's and uploads' IDLE_TIMEOUT_MS (65 s, set below)

  waf_enabled         = var.waf_enabled
  waf_rate_limit      = var.waf_rate_limit
  waf_auth_rate_limit = var.waf_auth_rate_limit
  waf_logging_enabled = var.waf_logging_enabled
  access_logs_enabled = var.access_logs_enabled
}

# ---------------------------------------------------------------------------------------------
# Services. The environment/secrets maps are literal on purpose: infra/test compares their keys
# with the services' config schemas. AWS_ENDPOINT_URL is never set here (real AWS).
# ---------------------------------------------------------------------------------------------

module "gateway" {
  source = "../service"

  prefix           = var.prefix
  name             = "gateway"
  cluster_arn      = module.cluster.cluster_arn
  cluster_name     = module.cluster.cluster_name
  image            = "${module.registry.repository_urls["gateway"]}:${var.image_tag}"
  cpu              = var.gateway_task.cpu
  memory           = var.gateway_task.memory
  cpu_architecture = var.cpu_architecture
  desired_count    = var.gateway_task.desired_count
  min_capacity     = var.gateway_task.min_count
  max_capacity     = var.gateway_task.max_count

  capacity_provider    = var.capacity_provider
  container_ports      = [8080]
  health_check_port    = 8080
  health_check_path    = "/healthz" # liveness; the ALB probes /readyz
  stop_timeout_seconds = 20         # SHUTDOWN_GRACE_MS defaults to 10 s

  task_role_arn      = module.iam.gateway_task_role_arn
  execution_role_arn = module.iam.execution_role_arn
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.gateway_security_group_id]
  log_group_name     = local.log_group_names.gateway
  log_retention_days = var.log_retention_days
  tracing            = local.tracing

  load_balancer = {
    target_group_arn = module.edge.gateway_target_group_arn
    container_port   = 8080
  }
  # Registered in Cloud Map too, as gateway.<prefix>.internal: the uploads workers' JWKS_URL.
  service_discovery = {
    namespace_id = module.cluster.namespace_id
  }
  cpu_target_utilization = 60

  environment = {
    AWS_REGION      = data.aws_region.current.name
    RESOURCE_PREFIX = var.prefix
    LOG_LEVEL       = var.log_level
    HOST            = "0.0.0.0"
    PORT            = "8080"
    PUBLIC_ORIGIN   = local.app_origin
    CORS_ORIGINS    = ""
    COOKIE_SECURE   = "true"
    # Above the ALB's idle timeout (60 s): the ALB closes idle connections first.
    IDLE_TIMEOUT_MS = "65000"
    # The ALB's nodes live in the public subnets; only they may write X-Forwarded-For (the ALB
    # appends the address it saw, and the gateway takes the right-most address outside these).
    TRUSTED_PROXY_CIDRS = join(",", module.network.public_subnet_cidrs)
    JWT_ISSUER          = var.jwt_issuer
    SESSIONS_ADDRESS    = local.sessions_address
    UPLOADS_PUBLIC_URL  = local.app_origin # the ALB routes /uploads/* to the workers
    # Direct transfer: the web app PUTs parts to the bucket's own origin (CSP connect-src).
    STORAGE_ORIGIN = module.storage.bucket_origin
    STATIC_DIR     = "/app/frontend/dist"
    # Sign-in with identity providers: "" (the default) leaves a provider off.
    GITHUB_CLIENT_ID = var.github_client_id
    GOOGLE_CLIENT_ID = var.google_client_id
    # Account mail through SES v2 from the identity of modules/mail; links point at PUBLIC_ORIGIN.
    MAIL_TRANSPORT = "ses"
    MAIL_FROM      = "lfusys <${module.mail.from_address}>"
    # Keys the gateway reads itself with its task role, making those it holds on its first start
    # (modules/secrets): its signing keys, its caller key for sessions (signs every call; public
    # half published for sessions) and sessions' published TLS CA, the only one it trusts there.
    JWT_PRIVATE_KEYS_SECRET_ID           = module.secrets.jwt_private_keys_secret_arn
    SESSIONS_CALLER_KEY_SECRET_ID        = module.secrets.sessions_caller_key_secret_arns.gateway
    SESSIONS_CALLER_PUBLIC_KEY_SECRET_ID = module.secrets.sessions_caller_public_key_secret_arns.gateway
    SESSIONS_TLS_CA_SECRET_ID            = module.secrets.sessions_grpc_tls_ca_secret_arn
  }

  secrets = {
    CSRF_SECRET = module.secrets.csrf_secret_arn
    # "" when the provider is off; the service module leaves those out.
    GITHUB_CLIENT_SECRET = module.secrets.github_client_secret_arn
    GOOGLE_CLIENT_SECRET = module.secrets.google_client_secret_arn
    OIDC_PROVIDERS       = module.secrets.oidc_providers_secret_arn
  }
}

module "sessions" {
  source = "../service"

  prefix           = var.prefix
  name             = "sessions"
  cluster_arn      = module.cluster.cluster_arn
  cluster_name     = module.cluster.cluster_name
  image            = "${module.registry.repository_urls["sessions"]}:${var.image_tag}"
  cpu              = var.sessions_task.cpu
  memory           = var.sessions_task.memory
  cpu_architecture = var.cpu_architecture
  desired_count    = var.sessions_task.desired_count
  min_capacity     = var.sessions_task.min_count
  max_capacity     = var.sessions_task.max_count

  capacity_provider    = var.capacity_provider
  container_ports      = [50051, 9091]
  health_check_port    = 9091
  health_check_path    = "/healthz" # liveness on the ops port (no ALB)
  stop_timeout_seconds = 40         # SHUTDOWN_GRACE_MS defaults to 30 s

  task_role_arn      = module.iam.sessions_task_role_arn
  execution_role_arn = module.iam.execution_role_arn
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.sessions_security_group_id]
  log_group_name     = local.log_group_names.sessions
  log_retention_days = var.log_retention_days
  tracing            = local.tracing

  service_discovery = {
    namespace_id = module.cluster.namespace_id
  }

  # Scale on the assembly backlog per task and on CPU (gRPC traffic); in only when both agree.
  cpu_target_utilization = 60
  queue_scaling = {
    queue_name              = module.queues.assembly_queue_name
    backlog_per_task_target = var.sessions_queue_backlog_target
  }

  environment = {
    AWS_REGION                          = data.aws_region.current.name
    RESOURCE_PREFIX                     = var.prefix
    LOG_LEVEL                           = var.log_level
    GRPC_HOST                           = "0.0.0.0"
    GRPC_PORT                           = "50051"
    OPS_PORT                            = "9091"
    ASSEMBLY_VISIBILITY_TIMEOUT_SECONDS = tostring(var.assembly_visibility_timeout_seconds)
    CHUNK_SIZE_BYTES                    = tostring(var.chunk_size_bytes)
    MAX_FILE_BYTES                      = tostring(var.max_file_bytes)
    USER_QUOTA_BYTES                    = tostring(var.user_quota_bytes)
    UPLOAD_TRANSFER_DEFAULT             = coalesce(var.upload_transfer_default, var.direct_transfer_enabled ? "direct" : "relay")
    DIRECT_TRANSFER_ENABLED             = tostring(var.direct_transfer_enabled)
    PART_URL_TTL_SECONDS                = tostring(var.part_url_ttl_seconds)
    # The public keys every call's token is verified with, as the callers publish them (read again
    # when a token names a key not seen yet: callers may start after sessions).
    GRPC_CALLER_PUBLIC_KEY_SECRET_IDS = "gateway=${module.secrets.sessions_caller_public_key_secret_arns.gateway},uploads=${module.secrets.sessions_caller_public_key_secret_arns.uploads}"
    # TLS on the gRPC port: a certificate for the name the callers dial, made on the first start.
    GRPC_TLS_SECRET_ID    = module.secrets.sessions_grpc_tls_secret_arn
    GRPC_TLS_CA_SECRET_ID = module.secrets.sessions_grpc_tls_ca_secret_arn
    GRPC_TLS_NAME         = local.sessions_host
  }
}

module "uploads" {
  source = "../service"

  prefix           = var.prefix
  name             = "uploads"
  cluster_arn      = module.cluster.cluster_arn
  cluster_name     = module.cluster.cluster_name
  image            = "${module.registry.repository_urls["uploads"]}:${var.image_tag}"
  cpu              = var.uploads_task.cpu
  memory           = var.uploads_task.memory
  cpu_architecture = var.cpu_architecture
  desired_count    = var.uploads_task.desired_count
  min_capacity     = var.uploads_task.min_count
  max_capacity     = var.uploads_task.max_count

  capacity_provider    = var.capacity_provider
  container_ports      = [8081]
  health_check_port    = 8081
  health_check_path    = "/healthz" # liveness; the ALB probes /readyz
  stop_timeout_seconds = 40         # SHUTDOWN_GRACE_MS defaults to 30 s

  task_role_arn      = module.iam.uploads_task_role_arn
  execution_role_arn = module.iam.execution_role_arn
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.uploads_security_group_id]
  log_group_name     = local.log_group_names.uploads
  log_retention_days = var.log_retention_days
  tracing            = local.tracing

  load_balancer = {
    target_group_arn = module.edge.uploads_target_group_arn
    container_port   = 8081
  }
  cpu_target_utilization = 60

  environment = {
    AWS_REGION      = data.aws_region.current.name
    RESOURCE_PREFIX = var.prefix
    LOG_LEVEL       = var.log_level
    HOST            = "0.0.0.0"
    PORT            = "8081"
    WORKERS         = tostring(var.uploads_workers)
    # Above the ALB's idle timeout (60 s): the ALB closes idle connections first.
    IDLE_TIMEOUT_MS  = "65000"
    SESSIONS_ADDRESS = local.sessions_address
    # Inside the VPC (Cloud Map); the network module lets the uploads tasks reach the gateway's port.
    JWKS_URL     = "${local.gateway_internal_url}/api/v1/.well-known/jwks.json"
    JWT_ISSUER   = var.jwt_issuer
    CORS_ORIGINS = local.app_origin
    # Its caller key for sessions (signs every call, scoped to the upload token's user and upload),
    # made on its first start, the public half published; sessions' TLS CA, waited for.
    SESSIONS_CALLER_KEY_SECRET_ID        = module.secrets.sessions_caller_key_secret_arns.uploads
    SESSIONS_CALLER_PUBLIC_KEY_SECRET_ID = module.secrets.sessions_caller_public_key_secret_arns.uploads
    SESSIONS_TLS_CA_SECRET_ID            = module.secrets.sessions_grpc_tls_ca_secret_arn
  }
}
