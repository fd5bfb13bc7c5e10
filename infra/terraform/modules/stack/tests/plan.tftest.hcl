# Plans and "applies" the whole stack against mocked providers: no AWS account, credentials or
# network calls, only the provider binaries (terraform init). It catches what `validate` cannot:
# variable validations, preconditions, count/for_each on unknown values, type errors in the
# module wiring. `make tf-check` runs it (init from a local provider mirror where there is one).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  prefix          = "acme-lfusys-test"
  domain_name     = "files.example.com"
  certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
}

run "dev_shape" {
  command = plan

  variables {
    deletion_protection = false
    single_nat_gateway  = true
    force_destroy       = true
  }


  assert {
    condition     = output.app_url == "https://files.example.com"
    error_message = "app_url must be https://<domain_name>"
  }

  assert {
    condition     = output.table_names.refresh_tokens == "acme-lfusys-test-refresh-tokens"
    error_message = "table names must derive from the prefix"
  }
}

run "prod_shape" {
  command = apply # mocked: creates nothing

  variables {
    deletion_protection = true
    single_nat_gateway  = false
    gateway_task        = { desired_count = 2, min_count = 2 }
  }

  assert {
    condition     = output.table_names.files == "acme-lfusys-test-files"
    error_message = "table names must derive from the prefix"
  }
}

run "rejects_long_prefix" {
  command = plan

  variables {
    prefix              = "this-prefix-is-far-too-long-for-alb-names"
    deletion_protection = false
  }

  expect_failures = [var.prefix]
}

run "rejects_part_urls_living_over_15_minutes" {
  command = plan

  variables {
    part_url_ttl_seconds = 901
    deletion_protection  = false
  }

  expect_failures = [var.part_url_ttl_seconds]
}

run "rejects_an_unknown_transfer_default" {
  command = plan

  variables {
    upload_transfer_default = "multipart"
    deletion_protection     = false
  }

  expect_failures = [var.upload_transfer_default]
}

run "issues_and_validates_a_certificate_when_only_a_zone_is_given" {
  command = apply # mocked: the listener's certificate is only known after "apply"

  variables {
    certificate_arn     = null
    route53_zone_id     = "Z0123456789ABCDEFGHIJ"
    deletion_protection = false
  }

  assert {
    condition     = module.edge.certificate_arn == "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-1111-1111-1111-111111111111"
    error_message = "the HTTPS listener must use the certificate Terraform requested and validated"
  }
}

run "keeps_the_operators_certificate" {
  command = plan

  variables {
    route53_zone_id     = "Z0123456789ABCDEFGHIJ"
    deletion_protection = false
  }

  assert {
    condition     = module.edge.certificate_arn == "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
    error_message = "a given certificate_arn must be used as is, with no certificate requested"
  }
}

run "rejects_neither_certificate_nor_zone" {
  command = plan

  variables {
    certificate_arn     = null
    deletion_protection = false
  }

  expect_failures = [var.certificate_arn]
}

run "waf_and_access_logs_can_be_turned_off" {
  command = apply

  variables {
    waf_enabled         = false
    access_logs_enabled = false
    deletion_protection = false
  }

  assert {
    condition     = module.edge.web_acl_arn == null && module.edge.access_logs_bucket == null
    error_message = "waf_enabled = false and access_logs_enabled = false must create neither"
  }
}

run "waf_protects_the_alb_by_default" {
  command = apply

  variables {
    deletion_protection = false
    waf_logging_enabled = true
  }

  assert {
    condition     = module.edge.web_acl_arn != null && module.edge.access_logs_bucket == "acme-lfusys-test-alb-logs"
    error_message = "by default the ALB gets the web ACL and access logs in <prefix>-alb-logs"
  }
}

run "alarms_watch_every_service_target_group_and_table" {
  command = apply

  variables {
    deletion_protection = false
  }

  assert {
    # DLQ, queue age, 5xx rate + running tasks x3 + unhealthy targets x2 + DynamoDB throttles x4
    condition     = length(module.observability.alarm_names) == 12 && length(distinct(module.observability.alarm_names)) == 12
    error_message = "expected 12 distinct alarms: 3 pipeline/edge, 3 running-task, 2 unhealthy-target, 4 DynamoDB-throttle"
  }

  assert {
    condition     = contains(module.observability.alarm_names, "acme-lfusys-test-sessions-running-below-desired") && contains(module.observability.alarm_names, "acme-lfusys-test-refresh-tokens-dynamodb-throttled")
    error_message = "alarm names must derive from the prefix and the watched service or table"
  }

  assert {
    condition     = module.observability.dashboard_name == "acme-lfusys-test"
    error_message = "the dashboard is named <prefix>"
  }
}

run "mails_from_the_app_domain_or_the_chosen_identity" {
  command = plan

  variables {
    deletion_protection = false
  }

  assert {
    condition     = output.mail_from_address == "no-reply@files.example.com"
    error_message = "without mail_identity, mail goes out as no-reply@<domain_name>"
  }
}

run "mails_from_a_single_address_identity" {
  command = plan

  variables {
    deletion_protection = false
    mail_identity       = "lfusys@example.org"
  }

  assert {
    condition     = output.mail_from_address == "lfusys@example.org"
    error_message = "an address identity is the From address itself"
  }
}

run "rejects_a_malformed_mail_identity" {
  command = plan

  variables {
    deletion_protection = false
    mail_identity       = "Not A Domain"
  }

  expect_failures = [var.mail_identity]
}

run "identity_providers_off_by_default" {
  command = plan

  variables {
    deletion_protection = false
  }

  assert {
    condition     = length(module.secrets.injected_secret_arns) == 1
    error_message = "without identity providers ECS injects only CSRF_SECRET (the services read their keys themselves)"
  }
}

run "identity_providers_on" {
  command = apply # mocked: creates nothing

  variables {
    deletion_protection    = false
    github_client_id       = "Iv1.0123456789abcdef"
    google_client_id       = "0123456789-abc.apps.googleusercontent.com"
    oidc_providers_enabled = true
  }

  assert {
    condition     = length(module.secrets.injected_secret_arns) == 4
    error_message = "each enabled provider's secret (GitHub, Google, OIDC_PROVIDERS) is one more secret the gateway reads"
  }
}

run "uploads_reach_the_gateway_inside_the_vpc" {
  command = apply # mocked: creates nothing; the registrations' ARNs are known after apply

  variables {
    deletion_protection = false
  }

  assert {
    condition     = module.gateway.service_discovery_arn != null && module.sessions.service_discovery_arn != null
    error_message = "the gateway (the uploads workers' JWKS) and sessions (gRPC) must register in Cloud Map"
  }

  assert {
    condition     = module.uploads.service_discovery_arn == null
    error_message = "nothing calls the uploads workers inside the VPC: they need no Cloud Map name"
  }

  assert {
    condition     = module.cluster.namespace_name == "acme-lfusys-test.internal"
    error_message = "the namespace the JWKS_URL host lives in is <prefix>.internal"
  }
}
