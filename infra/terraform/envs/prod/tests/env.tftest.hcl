# Plans envs/prod exactly as written (its task sizes, toggles and wiring) against the mocked AWS
# provider of modules/stack/tests: what `terraform validate` cannot see, e.g. a CPU/memory pair
# Fargate does not offer. No backend, account or credentials are used.

mock_provider "aws" {
  source = "../../modules/stack/tests/mocks"
}

variables {
  aws_region  = "eu-west-1"
  prefix      = "acme-lfusys-prod"
  domain_name = "files.example.com"
}

run "plans_with_an_operator_certificate" {
  command = plan

  variables {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
  }

  assert {
    condition     = output.app_url == "https://files.example.com"
    error_message = "app_url must be https://<domain_name>"
  }
}

run "plans_with_only_a_route53_zone" {
  command = plan

  variables {
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
  }
}
