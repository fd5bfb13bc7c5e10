output "identity_arn" {
  description = "ARN of the SES identity; the gateway's task role may send only as it."
  value       = aws_sesv2_email_identity.this.arn
}

output "from_address" {
  description = "The address account mail is sent from (the identity itself, or no-reply@ a domain identity)."
  value       = local.is_domain ? "no-reply@${var.identity}" : var.identity
}

output "dkim_tokens" {
  description = "Easy DKIM tokens of a domain identity: publish <token>._domainkey.<domain> CNAME <token>.dkim.amazonses.com."
  # An address identity may carry no DKIM block.
  value = try(aws_sesv2_email_identity.this.dkim_signing_attributes[0].tokens, [])
}
