# The object bucket (keys files/<userId>/<uploadId>): private, owner-enforced, encrypted, TLS
# only. Browsers reach it only with presigned URLs: downloads are presigned GETs, and in direct
# transfer each part is a presigned UploadPart PUT whose SHA-256 is signed in, so CORS allows GET
# and PUT from exactly the app origins. Relay chunks go through the uploads workers instead; the
# lifecycle rule is the backstop for multipart uploads nobody completed or aborted.

resource "aws_s3_bucket" "objects" {
  bucket        = "${var.prefix}-objects"
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_public_access_block" "objects" {
  bucket = aws_s3_bucket.objects.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "objects" {
  bucket = aws_s3_bucket.objects.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "objects" {
  bucket = aws_s3_bucket.objects.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_versioning" "objects" {
  bucket = aws_s3_bucket.objects.id

  versioning_configuration {
    # "Suspended" rather than "Disabled" so the flag can be turned off again after being on.
    status = var.versioning_enabled ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_cors_configuration" "objects" {
  bucket = aws_s3_bucket.objects.id

  # The same rule as BUCKET_CORS_RULE in commons/src/local-aws/resources.ts (infra/test checks):
  # a part PUT sends the signed x-amz-checksum-sha256 (not CORS-safelisted, so it is preflighted)
  # and may send content-type; scripts read the part's ETag.
  cors_rule {
    allowed_origins = var.app_origins
    allowed_methods = ["GET", "PUT"]
    allowed_headers = ["content-type", "x-amz-checksum-sha256"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3600
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "objects" {
  bucket = aws_s3_bucket.objects.id

  # Backstop for the sweeper: S3 aborts multipart uploads still open after two days.
  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 2
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_expiration_days
    }
  }

  # Lifecycle rules that touch versions must be created after versioning is configured.
  depends_on = [aws_s3_bucket_versioning.objects]
}

data "aws_iam_policy_document" "tls_only" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.objects.arn,
      "${aws_s3_bucket.objects.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "objects" {
  bucket = aws_s3_bucket.objects.id
  policy = data.aws_iam_policy_document.tls_only.json

  # Applying a policy before the public access block exists can be refused.
  depends_on = [aws_s3_bucket_public_access_block.objects]
}
