# Plans and "applies" the whole stack against mocked providers: no AWS account, credentials or
# network calls, only the provider binaries (terraform init). It catches what `validate` cannot:
# variable validations, preconditions, count/for_each on unknown values, type errors in the
# module wiring. `make tf-check` runs it (init from a local provider mirror where there is one).

mock_provider "aws" {
  # Valid ARN shapes, because the provider checks ARNs it is given.
  mock_resource "aws_lb" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/mock/0123456789abcdef"
    }
  }

  mock_resource "aws_lb_target_group" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/mock/0123456789abcdef"
    }
  }

  mock_resource "aws_lb_listener" {
    defaults = {
      arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/mock/0123456789abcdef/0123456789abcdef"
    }
  }

  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:eu-west-1:123456789012:mock"
    }
  }

  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/mock"
    }
  }

  mock_resource "aws_ecs_cluster" {
    defaults = {
      arn = "arn:aws:ecs:eu-west-1:123456789012:cluster/mock"
    }
  }

  mock_resource "aws_ecs_task_definition" {
    defaults = {
      arn = "arn:aws:ecs:eu-west-1:123456789012:task-definition/mock:1"
    }
  }

  mock_resource "aws_service_discovery_service" {
    defaults = {
      arn = "arn:aws:servicediscovery:eu-west-1:123456789012:service/srv-mock"
    }
  }

  mock_resource "aws_secretsmanager_secret" {
    defaults = {
      arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:mock-AbCdEf"
    }
  }

  mock_resource "aws_sqs_queue" {
    defaults = {
      arn = "arn:aws:sqs:eu-west-1:123456789012:mock.fifo"
    }
  }

  mock_resource "aws_dynamodb_table" {
    defaults = {
      arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/mock"
    }
  }

  mock_resource "aws_s3_bucket" {
    defaults = {
      arn = "arn:aws:s3:::mock"
    }
  }

  mock_resource "aws_ecr_repository" {
    defaults = {
      arn = "arn:aws:ecr:eu-west-1:123456789012:repository/mock"
    }
  }

  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:mock"
    }
  }

  mock_resource "aws_sesv2_email_identity" {
    defaults = {
      arn = "arn:aws:ses:eu-west-1:123456789012:identity/files.example.com"
    }
  }

  mock_data "aws_availability_zones" {
    defaults = {
      names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "eu-west-1"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
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
    condition     = length(module.secrets.secret_arns) == 2
    error_message = "without identity providers the gateway reads only JWT_PRIVATE_KEYS and CSRF_SECRET"
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
    condition     = length(module.secrets.secret_arns) == 5
    error_message = "each enabled provider's secret (GitHub, Google, OIDC_PROVIDERS) is one more secret the gateway reads"
  }
}
