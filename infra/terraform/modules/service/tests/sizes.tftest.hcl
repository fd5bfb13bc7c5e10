# The service module alone, against a mocked provider: the Fargate CPU/memory pairs it accepts and
# refuses (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html).

# The variables: service.auto.tfvars beside this file.
mock_provider "aws" {
  source = "../stack/tests/mocks"
}

run "accepts_the_smallest_size" {
  command = plan

  variables {
    cpu    = 256
    memory = 512
  }
}

run "accepts_the_largest_memory_of_2_vcpu" {
  command = plan

  variables {
    cpu    = 2048
    memory = 16384
  }
}

run "accepts_8_vcpu_in_4_gib_steps" {
  command = plan

  variables {
    cpu    = 8192
    memory = 20480
  }
}

run "refuses_too_much_memory_for_a_quarter_vcpu" {
  command = plan

  variables {
    cpu    = 256
    memory = 4096
  }

  expect_failures = [var.memory]
}

run "refuses_too_little_memory_for_4_vcpu" {
  command = plan

  variables {
    cpu    = 4096
    memory = 4096
  }

  expect_failures = [var.memory]
}

run "refuses_a_step_8_vcpu_does_not_offer" {
  command = plan

  variables {
    cpu    = 8192
    memory = 17408
  }

  expect_failures = [var.memory]
}

run "checks_liveness_on_healthz_by_default" {
  command = plan

  assert {
    condition     = strcontains(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].healthCheck.command[3], "127.0.0.1:8080/healthz")
    error_message = "the container health check must request /healthz (liveness) unless told otherwise"
  }
}
