# One task role per service with exactly the calls its code makes (least privilege, no wildcard
# actions or resources), and one task execution role used by ECS itself to pull images, write
# logs and read the secrets it injects (not the keys: each service reads its own with its task role).
# infra/test compares the task-role actions with the code.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Confused-deputy protection for task roles (as in the ECS task IAM role guide): only ECS
    # tasks of this account and region.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:ecs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:*"]
    }
  }
}

# ---------------------------------------------------------------------------------------------
# Task roles
# ---------------------------------------------------------------------------------------------

resource "aws_iam_role" "gateway" {
  name               = "${var.prefix}-gateway-task"
  description        = "lfusys gateway task: users and refresh-token tables, account mail"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role" "sessions" {
  name               = "${var.prefix}-sessions-task"
  description        = "lfusys sessions task: uploads and files tables, objects, assembly queue"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

resource "aws_iam_role" "uploads" {
  name               = "${var.prefix}-uploads-task"
  description        = "lfusys uploads workers: enqueue assembly, read login-session status (parts go through URLs sessions signs)"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json
}

data "aws_iam_policy_document" "gateway" {
  # Accounts (transactions need the per-item actions), refresh-token rotation, the signed-in
  # devices list (BatchGetItem), account deletion (BatchWriteItem), readiness (DescribeTable).
  statement {
    sid = "AccountTables"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:Query",
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:DescribeTable",
    ]
    resources = [
      var.users_table_arn,
      "${var.users_table_arn}/index/*",
      var.refresh_tokens_table_arn,
      "${var.refresh_tokens_table_arn}/index/*",
    ]
  }

  # Account mail (verify your email, reset your password, password changed): SES v2 SendEmail as
  # the one identity, from the one address. SendEmail is authorised against the identity's ARN
  # (SES "Controlling access", identity resources); ses:FromAddress pins the sender within it.
  statement {
    sid       = "AccountMail"
    actions   = ["ses:SendEmail"]
    resources = [var.mail_identity_arn]
    condition {
      test     = "StringEquals"
      variable = "ses:FromAddress"
      values   = [var.mail_from_address]
    }
  }

  # Its keys (modules/secrets): made on its first start, the caller key's public half published.
  # Secrets use the AWS-managed aws/secretsmanager key, so no kms grant is needed.
  statement {
    sid = "OwnKeys"
    actions = [
      "secretsmanager:GetSecretValue",
      "secretsmanager:PutSecretValue",
    ]
    resources = [
      var.key_secret_arns.jwt_private_keys,
      var.key_secret_arns.gateway_caller_key,
      var.key_secret_arns.gateway_caller_public_key,
    ]
  }

  # The CA sessions published for its gRPC certificate: the only one the gateway trusts there.
  statement {
    sid       = "SessionsCertificate"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.key_secret_arns.sessions_tls_ca]
  }
}

data "aws_iam_policy_document" "sessions" {
  # ConditionCheckItem: opening an upload, recording a part and completing one check, in the same
  # transaction, that the owner has no deleted-user tombstone. Direct transfer's per-index items
  # (signed checksums) are written 25 at a time with BatchWriteItem, and a signing or confirming
  # call reads the session with its parts' items in one BatchGetItem.
  statement {
    sid = "UploadAndFileTables"
    actions = [
      "dynamodb:GetItem",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:Query",
      "dynamodb:BatchGetItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:DescribeTable",
    ]
    resources = [
      var.uploads_table_arn,
      "${var.uploads_table_arn}/index/*",
      var.files_table_arn,
      "${var.files_table_arn}/index/*",
    ]
  }

  # Create/Complete/AbortMultipartUpload, HeadObject, presigned GETs, file deletion. PutObject also
  # authorises the presigned UploadPart URLs of direct transfer and of relay workers: a presigned
  # request acts with the signer's rights, so the browser (or worker) can write only the one part,
  # with the one checksum and length, it was signed for. ListMultipartUploadParts: confirming direct parts (present, size, checksum).
  # GetObject: the whole-file SHA-256 read back at assembly.
  statement {
    sid = "Objects"
    actions = [
      "s3:PutObject",
      "s3:GetObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${var.bucket_arn}/files/*"]
  }

  # ListBucketMultipartUploads: an idempotent create retried after a crash finds the multipart
  # upload its first attempt opened. ListBucket: without it S3 answers HeadObject/GetObject of a
  # missing key 403 instead of 404 (HeadObject API reference, "Permissions"), and a missing object
  # must read as not found. Not narrowed by an s3:prefix condition: AWS documents the 404 for
  # "s3:ListBucket on the bucket", and a listing shows only server-generated keys (no file names).
  statement {
    sid = "BucketListing"
    actions = [
      "s3:ListBucketMultipartUploads",
      "s3:ListBucket",
    ]
    resources = [var.bucket_arn]
  }

  # Assembly consumer (and re-enqueue of complete-but-unassembled uploads).
  statement {
    sid = "AssemblyQueue"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:ChangeMessageVisibility",
      "sqs:SendMessage",
      "sqs:GetQueueUrl",
    ]
    resources = [var.assembly_queue_arn]
  }

  # Its gRPC certificate and key (made on its first start) and the CA it publishes for the callers.
  statement {
    sid = "OwnCertificate"
    actions = [
      "secretsmanager:GetSecretValue",
      "secretsmanager:PutSecretValue",
    ]
    resources = [
      var.key_secret_arns.sessions_tls,
      var.key_secret_arns.sessions_tls_ca,
    ]
  }

  # The callers' public keys only: never their private keys.
  statement {
    sid       = "CallerPublicKeys"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.key_secret_arns.gateway_caller_public_key, var.key_secret_arns.uploads_caller_public_key]
  }
}

data "aws_iam_policy_document" "uploads" {
  # Relay chunks are PUT to presigned UploadPart URLs sessions signs per chunk (PreparePart): the
  # request acts with sessions' rights, for one part with one checksum and length, for at most 15
  # minutes. The workers hold no S3 right of their own.
  statement {
    sid = "EnqueueAssembly"
    actions = [
      "sqs:SendMessage",
      "sqs:GetQueueUrl",
    ]
    resources = [var.assembly_queue_arn]
  }

  # Token revocation: read whether a login session (FAMILY#<sid>) is live. Only those items:
  # never the refresh-token items (TOKEN#<hash>) beside them, and never a write.
  statement {
    sid       = "LoginSessionStatus"
    actions   = ["dynamodb:GetItem"]
    resources = [var.refresh_tokens_table_arn]
    condition {
      test     = "ForAllValues:StringLike"
      variable = "dynamodb:LeadingKeys"
      values   = ["FAMILY#*"]
    }
  }

  # Its caller key (made on its first start) and the secret it publishes the public half to.
  statement {
    sid = "OwnKey"
    actions = [
      "secretsmanager:GetSecretValue",
      "secretsmanager:PutSecretValue",
    ]
    resources = [
      var.key_secret_arns.uploads_caller_key,
      var.key_secret_arns.uploads_caller_public_key,
    ]
  }

  # The CA sessions published for its gRPC certificate: the only one the workers trust there.
  statement {
    sid       = "SessionsCertificate"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [var.key_secret_arns.sessions_tls_ca]
  }
}

resource "aws_iam_role_policy" "gateway" {
  name   = "${var.prefix}-gateway"
  role   = aws_iam_role.gateway.id
  policy = data.aws_iam_policy_document.gateway.json
}

resource "aws_iam_role_policy" "sessions" {
  name   = "${var.prefix}-sessions"
  role   = aws_iam_role.sessions.id
  policy = data.aws_iam_policy_document.sessions.json
}

resource "aws_iam_role_policy" "uploads" {
  name   = "${var.prefix}-uploads"
  role   = aws_iam_role.uploads.id
  policy = data.aws_iam_policy_document.uploads.json
}

# Traces: the ADOT collector beside each service sends segments to X-Ray with the task role. X-Ray
# has no resource-level permissions for these actions, hence "*".
# https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html
data "aws_iam_policy_document" "tracing" {
  statement {
    sid       = "XRayWrite"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "tracing" {
  for_each = var.tracing_enabled ? {
    gateway  = aws_iam_role.gateway.id
    sessions = aws_iam_role.sessions.id
    uploads  = aws_iam_role.uploads.id
  } : {}

  name   = "${var.prefix}-${each.key}-tracing"
  role   = each.value
  policy = data.aws_iam_policy_document.tracing.json
}

# ---------------------------------------------------------------------------------------------
# Task execution role (used by the ECS agent, not by the application)
# ---------------------------------------------------------------------------------------------

# The plain ecs-tasks trust of the ECS documentation (the agent assumes this role).
data "aws_iam_policy_document" "execution_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.prefix}-ecs-execution"
  description        = "lfusys ECS task execution: pull images, write logs, read injected secrets"
  assume_role_policy = data.aws_iam_policy_document.execution_assume.json
}

data "aws_iam_policy_document" "execution" {
  # GetAuthorizationToken has no resource-level permissions.
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "EcrPull"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchGetImage",
    ]
    resources = var.ecr_repository_arns
  }

  statement {
    sid = "ContainerLogs"
    actions = [
      "logs:CreateLogStream",
      "logs:PutLogEvents",
    ]
    resources = flatten([for arn in var.log_group_arns : [arn, "${arn}:*"]])
  }

  # Only the secrets ECS injects (CSRF_SECRET, identity providers), never the keys. Secrets use the
  # AWS-managed aws/secretsmanager key, so no kms:Decrypt grant is needed.
  statement {
    sid       = "InjectedSecrets"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = var.secret_arns
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "${var.prefix}-ecs-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}
