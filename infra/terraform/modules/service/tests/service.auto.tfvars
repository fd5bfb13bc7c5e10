# The service module's inputs for every test file here (terraform test loads *.auto.tfvars from
# the tests directory); a run block sets what it tries on top of these.
prefix             = "acme-lfusys-test"
name               = "gateway"
cluster_arn        = "arn:aws:ecs:eu-west-1:123456789012:cluster/mock"
cluster_name       = "mock"
image              = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/gateway:latest"
container_ports    = [8080]
health_check_port  = 8080
task_role_arn      = "arn:aws:iam::123456789012:role/task"
execution_role_arn = "arn:aws:iam::123456789012:role/execution"
subnet_ids         = ["subnet-1", "subnet-2"]
security_group_ids = ["sg-1"]
log_group_name     = "/ecs/acme-lfusys-test/gateway"
