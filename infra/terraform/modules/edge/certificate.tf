# The HTTPS listener's certificate: the operator's (certificate_arn), or — when only a Route 53
# zone is given — one ACM issues for domain_name after Terraform writes its DNS validation record
# in that zone. `terraform apply` waits for the certificate to be issued (usually a few minutes)
# before it creates the listener. Only domain_name is on the certificate (no SANs), so there is
# exactly one validation record.

locals {
  create_certificate = var.certificate_arn == null
  certificate_arn    = local.create_certificate ? aws_acm_certificate_validation.this[0].certificate_arn : var.certificate_arn
}

resource "aws_acm_certificate" "this" {
  count = local.create_certificate ? 1 : 0

  domain_name       = var.domain_name
  validation_method = "DNS"

  lifecycle {
    # A replaced certificate must be issued before the listener lets go of the old one.
    create_before_destroy = true
  }
}

resource "aws_route53_record" "certificate_validation" {
  count = local.create_certificate ? 1 : 0

  zone_id         = var.route53_zone_id
  name            = one(aws_acm_certificate.this[0].domain_validation_options).resource_record_name
  type            = one(aws_acm_certificate.this[0].domain_validation_options).resource_record_type
  records         = [one(aws_acm_certificate.this[0].domain_validation_options).resource_record_value]
  ttl             = 60
  allow_overwrite = true # the record is the same for every certificate of this name in the account
}

resource "aws_acm_certificate_validation" "this" {
  count = local.create_certificate ? 1 : 0

  certificate_arn         = aws_acm_certificate.this[0].arn
  validation_record_fqdns = [aws_route53_record.certificate_validation[0].fqdn]
}
