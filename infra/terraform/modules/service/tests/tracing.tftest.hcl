# The service module alone, against a mocked provider: the task definition with tracing on and off
# (docs/tracing.md): the collector sidecar and the OTEL_* keys only when asked for.

# The variables: service.auto.tfvars beside this file.
mock_provider "aws" {
  source = "../stack/tests/mocks"
}

run "tracing_off_adds_no_sidecar_and_no_otel_key" {
  command = plan

  assert {
    condition     = length(jsondecode(aws_ecs_task_definition.this.container_definitions)) == 1
    error_message = "without tracing the task runs the service alone"
  }

  assert {
    condition     = length([for e in coalesce(jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment, []) : e if startswith(e.name, "OTEL_")]) == 0
    error_message = "without tracing no OTEL_* key is set (the service loads no SDK)"
  }
}

run "tracing_on_exports_to_a_collector_sidecar" {
  command = plan

  variables {
    tracing = {
      sampling_ratio  = 0.05
      collector_image = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
    }
  }

  assert {
    condition     = [for c in jsondecode(aws_ecs_task_definition.this.container_definitions) : c.name] == ["gateway", "otel-collector"]
    error_message = "tracing adds the otel-collector container beside the service"
  }

  assert {
    condition     = jsondecode(aws_ecs_task_definition.this.container_definitions)[1].essential == false
    error_message = "a stopped collector must not stop the service"
  }

  assert {
    condition = { for e in jsondecode(aws_ecs_task_definition.this.container_definitions)[0].environment : e.name => e.value if startswith(e.name, "OTEL_") } == {
      OTEL_SERVICE_NAME           = "gateway"
      OTEL_TRACES_EXPORTER        = "otlp"
      OTEL_EXPORTER_OTLP_PROTOCOL = "http/protobuf"
      OTEL_EXPORTER_OTLP_ENDPOINT = "http://127.0.0.1:4318"
      OTEL_TRACES_SAMPLER         = "parentbased_traceidratio"
      OTEL_TRACES_SAMPLER_ARG     = "0.05"
    }
    error_message = "the service exports OTLP/HTTP to the sidecar on loopback, sampling 5 % of traces"
  }
}

run "refuses_a_sampling_ratio_above_one" {
  command = plan

  variables {
    tracing = {
      sampling_ratio  = 1.5
      collector_image = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
    }
  }

  expect_failures = [var.tracing]
}
