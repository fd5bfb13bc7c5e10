# The public entry point: one ALB on the app's domain. HTTP redirects to HTTPS; `/uploads/*`
# (chunk PUTs, `PUT /uploads/:id/chunks/:i`) goes to the uploads workers; everything else — the
# API under /api/* and the web app — goes to the gateway, which serves the built frontend itself
# from STATIC_DIR. No S3 website or CloudFront distribution is needed, and the app, the API and
# the chunk endpoint share one origin. (The web app's own `/uploads` page has no trailing slash,
# so it does not match `/uploads/*` and is served by the gateway.)

resource "aws_lb" "this" {
  name                       = "${var.prefix}-alb"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [var.security_group_id]
  idle_timeout               = var.idle_timeout_seconds
  drop_invalid_header_fields = true
  # Explicit although it is the default: the ALB appends the client address it saw to whatever
  # X-Forwarded-For the client sent, so the right-most entry is trustworthy and the gateway
  # (TRUSTED_PROXY_CIDRS) reads that one. "preserve" would forward only what the client wrote;
  # "remove" would leave the gateway no client address at all.
  # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/x-forwarded-headers.html
  xff_header_processing_mode = "append"
  enable_deletion_protection = var.deletion_protection

  # Access logs (access-logs.tf): the bucket policy must exist first, or the ALB refuses the
  # bucket; iterating over the policy makes that order, and no block means logs off.
  dynamic "access_logs" {
    for_each = aws_s3_bucket_policy.access_logs

    content {
      bucket  = access_logs.value.bucket
      prefix  = local.access_logs_prefix
      enabled = true
    }
  }
}

resource "aws_lb_target_group" "gateway" {
  # A changed port or VPC replaces a target group; a fixed name would make the new one collide
  # with the old, which the listener still uses. name_prefix (at most 6 characters) gets a unique
  # suffix, the new group is created and the listener switched before the old one goes.
  name_prefix          = "gw-"
  vpc_id               = var.vpc_id
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = var.gateway_port
  deregistration_delay = 30 # the gateway drains in SHUTDOWN_GRACE_MS = 10 s

  health_check {
    path                = var.health_check_path
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = { Name = "${var.prefix}-gateway" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_target_group" "uploads" {
  name_prefix          = "up-" # see the gateway's
  vpc_id               = var.vpc_id
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = var.uploads_port
  deregistration_delay = 60 # lets in-flight chunk PUTs finish

  health_check {
    path                = var.health_check_path
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = { Name = "${var.prefix}-uploads" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      protocol    = "HTTPS"
      port        = "443"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  # The operator's certificate, else the one certificate.tf issues and validates in Route 53.
  certificate_arn = local.certificate_arn

  # Everything not matched below: the API (/api/*) and the web app.
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.gateway.arn
  }
}

# Chunk uploads go straight to the workers.
resource "aws_lb_listener_rule" "uploads" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 10

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.uploads.arn
  }

  condition {
    path_pattern {
      values = ["/uploads/*"]
    }
  }
}

# Prometheus metrics and the health endpoints are for the inside of the VPC, not for the
# internet: /readyz would tell anyone whether sessions is down, and neither is rate-limited. The
# ALB's own health checks reach the targets directly (not through listener rules), so the target
# groups keep probing /readyz.
resource "aws_lb_listener_rule" "hide_metrics" {
  listener_arn = aws_lb_listener.https.arn
  priority     = 5

  action {
    type = "fixed-response"

    fixed_response {
      content_type = "application/json"
      message_body = "{\"error\":{\"code\":\"not_found\",\"message\":\"not found\"}}"
      status_code  = "404"
    }
  }

  condition {
    path_pattern {
      values = ["/metrics", "/metrics/*", "/readyz", "/healthz"]
    }
  }
}

resource "aws_route53_record" "app" {
  count = var.route53_zone_id == null ? 0 : 1

  zone_id = var.route53_zone_id
  name    = var.domain_name
  type    = "A"

  alias {
    name                   = aws_lb.this.dns_name
    zone_id                = aws_lb.this.zone_id
    evaluate_target_health = true
  }
}
