# The SES v2 identity the gateway sends account mail from (verify your email, reset your
# password, your password was changed). A domain identity signs with Easy DKIM; when the domain's
# Route 53 zone is given, its three DKIM CNAME records are created here, otherwise add them from the
# dkim_tokens output. An address identity is verified by the link SES mails to it.
# A new SES account is in the sandbox (it may mail verified addresses only) until production
# access is requested: infra/terraform/README.md, "Mail".

locals {
  is_domain = !strcontains(var.identity, "@")
  # Known only after apply (unknown while planning a new identity). The test mocks give an empty
  # list instead of an unknown one; a missing token reads "pending" rather than failing the plan.
  dkim_tokens = flatten(aws_sesv2_email_identity.this.dkim_signing_attributes[*].tokens)
}

resource "aws_sesv2_email_identity" "this" {
  email_identity = var.identity
}

resource "aws_route53_record" "dkim" {
  # Easy DKIM always issues three tokens; their values are known only after apply, so the count
  # cannot depend on them.
  count = local.is_domain && var.route53_zone_id != null ? 3 : 0

  zone_id = var.route53_zone_id
  name    = "${try(local.dkim_tokens[count.index], "pending")}._domainkey.${var.identity}"
  type    = "CNAME"
  ttl     = 1800
  records = ["${try(local.dkim_tokens[count.index], "pending")}.dkim.amazonses.com"]
}
