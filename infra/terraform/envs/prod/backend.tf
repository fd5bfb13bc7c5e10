# Remote state in S3 with S3-native locking (a .tflock object next to the state; no DynamoDB
# table). bucket, key and region are per account, so they come from a partial configuration:
#
#   cp backend.hcl.example backend.hcl   # then edit it
#   terraform init -backend-config=backend.hcl
#
# or inline: terraform init -backend-config="bucket=<state-bucket>" \
#   -backend-config="key=lfusys/prod/terraform.tfstate" -backend-config="region=<region>"
terraform {
  backend "s3" {
    use_lockfile = true
    encrypt      = true
  }
}
