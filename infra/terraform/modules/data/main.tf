# The four DynamoDB tables. They must stay identical to commons/src/local-aws/resources.ts (the
# local bootstrap creates the same list); infra/test compares them, so keep every block literal.
# All are on-demand, with point-in-time recovery, encrypted with the AWS-managed DynamoDB KMS key
# (aws/dynamodb: no key policy or kms:* grants needed by the task roles).

resource "aws_dynamodb_table" "users" {
  name                        = "${var.prefix}-users"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = var.deletion_protection

  # USER#<id> (profile, password hash) and EMAIL#<normalised email> (uniqueness claim).
  attribute {
    name = "pk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

resource "aws_dynamodb_table" "refresh_tokens" {
  name                        = "${var.prefix}-refresh-tokens"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  deletion_protection_enabled = var.deletion_protection

  # FAMILY#<id> (a login session) and TOKEN#<sha256> (one refresh token).
  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "userId"
    type = "S"
  }

  global_secondary_index {
    name            = "byUser"
    hash_key        = "userId"
    projection_type = "KEYS_ONLY"
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

resource "aws_dynamodb_table" "uploads" {
  name                        = "${var.prefix}-uploads"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  # UPLOAD#<id>/SESSION, UPLOAD#<id>/PART#<00000>, USER#<id>/USAGE, USER#<id>/DELETED (tombstone).
  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  attribute {
    name = "inProgressUserId"
    type = "S"
  }

  attribute {
    name = "createdAt"
    type = "S"
  }

  attribute {
    name = "status"
    type = "S"
  }

  attribute {
    name = "expiresAt"
    type = "S"
  }

  # Sparse: only sessions uploading or assembling carry inProgressUserId, so GET /uploads reads
  # a user's uploads in progress and never the finished ones.
  global_secondary_index {
    name            = "inProgressByUser"
    hash_key        = "inProgressUserId"
    range_key       = "createdAt"
    projection_type = "ALL"
  }

  # Lets the sweeper find expired or stuck sessions without a scan.
  global_secondary_index {
    name            = "byStatus"
    hash_key        = "status"
    range_key       = "expiresAt"
    projection_type = "KEYS_ONLY"
  }

  # Finished sessions and parts (FINISHED_UPLOAD_RETENTION_SECONDS after they end) and tombstones.
  ttl {
    attribute_name = "ttl"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}

resource "aws_dynamodb_table" "files" {
  name                        = "${var.prefix}-files"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "fileId"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "fileId"
    type = "S"
  }

  attribute {
    name = "userId"
    type = "S"
  }

  attribute {
    name = "createdAt"
    type = "S"
  }

  # A user's files, newest first.
  global_secondary_index {
    name            = "byOwner"
    hash_key        = "userId"
    range_key       = "createdAt"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}
