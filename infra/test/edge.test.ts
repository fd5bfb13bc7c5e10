import { describe, expect, it } from 'vitest';
import { block, first, hcl, type Json, source, tfRef } from './support/hcl.ts';

/**
 * The public edge (issue 15): the certificate, AWS WAF and the access logs. The WAF rules are
 * checked against the routes the code serves, so a moved route cannot silently lose its limit or
 * its exemption.
 */

const API_PREFIX = /export const API_PREFIX = '([^']+)'/.exec(source('gateway/src/http/cookies.ts'))?.[1];
const AUTH_PREFIX = /prefix: '(\/auth)'/.exec(source('gateway/src/http/app.ts'))?.[1];

describe('the HTTPS certificate', async () => {
  const edge = await hcl('modules/edge/main.tf');
  const certificate = await hcl('modules/edge/certificate.tf');
  const stackVariables = await hcl('modules/stack/variables.tf');

  it('the listener uses the given certificate, else the one requested here once DNS-validated', () => {
    expect(block(edge, 'aws_lb_listener', 'https').certificate_arn).toBe(tfRef('local.certificate_arn'));
    const locals = first(certificate.locals);
    expect(locals.create_certificate).toBe(tfRef('var.certificate_arn == null'));
    // The validated ARN (not the requested one): the listener waits until ACM has issued it.
    expect(locals.certificate_arn).toContain('aws_acm_certificate_validation.this[0].certificate_arn');
  });

  it('is requested with DNS validation, its record written in the given zone, and waited for', () => {
    const acm = block(certificate, 'aws_acm_certificate', 'this');
    expect(acm.validation_method).toBe('DNS');
    expect(acm.domain_name).toBe(tfRef('var.domain_name'));
    expect(first(acm.lifecycle).create_before_destroy).toBe(true);
    const record = block(certificate, 'aws_route53_record', 'certificate_validation');
    expect(record.zone_id).toBe(tfRef('var.route53_zone_id'));
    expect(record.name).toContain('aws_acm_certificate.this[0].domain_validation_options');
    const validation = block(certificate, 'aws_acm_certificate_validation', 'this');
    expect(validation.validation_record_fqdns).toEqual([tfRef('aws_route53_record.certificate_validation[0].fqdn')]);
    for (const resource of [acm, record, validation])
      expect(resource.count).toBe(tfRef('local.create_certificate ? 1 : 0'));
  });

  it('refuses a stack with neither a certificate nor a zone to validate one in', () => {
    const variable = first(stackVariables.variable?.certificate_arn);
    expect(variable.default).toBeNull();
    const conditions = (variable.validation as Json[]).map((v) => v.condition);
    expect(conditions).toContain(tfRef('var.certificate_arn != null || var.route53_zone_id != null'));
  });
});

describe('AWS WAF on the load balancer', async () => {
  const waf = await hcl('modules/edge/waf.tf');
  const association = await hcl('modules/edge/waf-association.tf');
  const edge = await hcl('modules/edge/main.tf');
  const stack = await hcl('modules/stack/main.tf');
  const acl = block(waf, 'aws_wafv2_web_acl', 'this');
  const rules = acl.rule as Json[];
  const rule = (name: string) => rules.find((r) => r.name === name) ?? {};
  const managed = (r: Json) => first(first(r.statement).managed_rule_group_statement);
  /** The rules a managed group's rule_action_override blocks set, with the action they set. */
  const counted = first(waf.locals).waf_counted_body_rules as Record<string, string[]>;
  const overrides = (r: Json) => {
    const dynamic = first(managed(r).dynamic?.rule_action_override);
    const list = /^\$\{local\.waf_counted_body_rules\.(\w+)\}$/.exec(String(dynamic.for_each))?.[1] ?? '';
    const content = first(dynamic.content);
    expect(content.name).toBe(tfRef('rule_action_override.value'));
    return Object.fromEntries((counted[list] ?? []).map((name) => [name, Object.keys(first(content.action_to_use))]));
  };

  it('is a regional web ACL associated with the ALB, on unless waf_enabled is false', () => {
    expect(acl.scope).toBe('REGIONAL');
    expect(acl.count).toBe(tfRef('var.waf_enabled ? 1 : 0'));
    const attached = block(association, 'aws_wafv2_web_acl_association', 'alb');
    expect(attached.resource_arn).toBe(tfRef('aws_lb.this.arn'));
    expect(attached.web_acl_arn).toBe(tfRef('aws_wafv2_web_acl.this[0].arn'));
    expect(first(stack.module?.edge).waf_enabled).toBe(tfRef('var.waf_enabled'));
  });

  it('runs the AWS managed groups: IP reputation, core rule set, known bad inputs', () => {
    const groups = rules.map((r) => managed(r)).filter((g) => g.name);
    expect(groups.map((g) => `${g.vendor_name}/${g.name}`).sort()).toEqual([
      'AWS/AWSManagedRulesAmazonIpReputationList',
      'AWS/AWSManagedRulesCommonRuleSet',
      'AWS/AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    // A managed group acts with its own rule actions (none = no override of the whole group).
    for (const r of rules.filter((x) => managed(x).name))
      expect(Object.keys(first(r.override_action))).toEqual(['none']);
    expect(new Set(rules.map((r) => r.priority)).size).toBe(rules.length);
  });

  it('lets chunk PUTs through: SizeRestrictions_BODY (8 KB; blocks nowhere) and every body rule only count', () => {
    const common = overrides(rule('aws-common'));
    expect(common.SizeRestrictions_BODY).toEqual(['count']);
    for (const [name, action] of [
      ...Object.entries(common),
      ...Object.entries(overrides(rule('aws-known-bad-inputs'))),
    ]) {
      expect(name, 'only body rules are relaxed').toMatch(/_BODY$/);
      expect(action).toEqual(['count']);
    }
    expect(Object.keys(overrides(rule('aws-known-bad-inputs'))).sort()).toEqual([
      'JavaDeserializationRCE_BODY',
      'Log4JRCE_BODY',
    ]);
  });

  it('and blocks what those body rules matched everywhere but the path the ALB sends to the uploads workers', () => {
    const r = rule('body-rules-outside-uploads');
    expect(Object.keys(first(r.action))).toEqual(['block']);
    expect(r.priority).toBeGreaterThan(rule('aws-common').priority);
    expect(r.priority).toBeGreaterThan(rule('aws-known-bad-inputs').priority);
    const [labels, notUploads] = first(first(r.statement).and_statement).statement as Json[];
    const matched = (first(labels?.or_statement).statement as Json[]).map((s) => first(s.label_match_statement));
    // Each counted core-rule-set content rule by its label (its name with _Body), never the size rule…
    const contentRules = Object.keys(overrides(rule('aws-common'))).filter((name) => name !== 'SizeRestrictions_BODY');
    expect(matched.filter((l) => l.scope === 'LABEL').map((l) => l.key)).toEqual(
      contentRules.map((name) => `awswaf:managed:aws:core-rule-set:${name.replace(/_BODY$/, '_Body')}`),
    );
    // …and anything known bad inputs left labelled (its other rules block on a match).
    expect(matched.filter((l) => l.scope === 'NAMESPACE')).toEqual([
      { scope: 'NAMESPACE', key: 'awswaf:managed:aws:known-bad-inputs:' },
    ]);
    const exempt = first(first(first(notUploads?.not_statement).statement).byte_match_statement);
    expect(exempt.positional_constraint).toBe('STARTS_WITH');
    // Exempt only what the services route as an upload: /uploads/../api/... is checked.
    expect((exempt.text_transformation as Json[]).map((t) => t.type)).toEqual(['URL_DECODE', 'NORMALIZE_PATH']);
    const routed = first(first(block(edge, 'aws_lb_listener_rule', 'uploads').condition).path_pattern).values;
    expect(routed).toEqual([`${exempt.search_string}*`]);
    // …which is the chunk route of the uploads workers.
    expect(source('uploads/src/http/app.ts')).toContain(`'${exempt.search_string}:uploadId/chunks/:index'`);
  });

  it('limits requests per IP: all paths, and a stricter limit on the auth routes the gateway serves', () => {
    const general = first(first(rule('rate-limit-ip').statement).rate_based_statement);
    expect(general).toMatchObject({ aggregate_key_type: 'IP', limit: tfRef('var.waf_rate_limit') });
    expect(general.scope_down_statement).toBeUndefined();
    const auth = first(first(rule('rate-limit-auth').statement).rate_based_statement);
    expect(auth).toMatchObject({ aggregate_key_type: 'IP', limit: tfRef('var.waf_auth_rate_limit') });
    const scope = first(first(auth.scope_down_statement).byte_match_statement);
    expect(scope.positional_constraint).toBe('STARTS_WITH');
    expect(scope.search_string).toBe(`${API_PREFIX}${AUTH_PREFIX}/`);
    expect((scope.text_transformation as Json[]).map((t) => t.type)).toEqual(['URL_DECODE', 'LOWERCASE']);
    for (const r of [rule('rate-limit-ip'), rule('rate-limit-auth')])
      expect(Object.keys(first(r.action))).toEqual(['block']);
  });

  it('blocks the ops endpoints however the path is spelled (the services route /%72eadyz and /./readyz too)', () => {
    const r = rule('ops-endpoints-not-public');
    expect(Object.keys(first(r.action))).toEqual(['block']);
    expect(r.priority).toBe(Math.min(...rules.map((x) => x.priority)));
    const match = first(first(r.statement).regex_match_statement);
    expect((match.text_transformation as Json[]).map((t) => t.type)).toEqual(['URL_DECODE', 'NORMALIZE_PATH']);
    const regex = new RegExp(match.regex_string);
    // …the paths the listener answers 404 for, and more spellings the services route there.
    const hidden = first(first(block(edge, 'aws_lb_listener_rule', 'hide_metrics').condition).path_pattern)
      .values as string[];
    for (const path of [...hidden.map((p) => p.replace('*', 'x')), '/readyz/'])
      expect(regex.test(path), path).toBe(true);
    for (const path of ['/', '/api/v1/auth/login', '/healthzz', '/uploads/u/chunks/0', '/api/v1/readyz'])
      expect(regex.test(path), path).toBe(false);
  });

  it('logs (when asked) with bearer tokens and cookies redacted', () => {
    const logging = block(association, 'aws_wafv2_web_acl_logging_configuration', 'this');
    const redacted = (logging.redacted_fields as Json[]).map((f) => first(f.single_header).name).sort();
    expect(redacted).toEqual(['authorization', 'cookie']);
    expect(block(association, 'aws_cloudwatch_log_group', 'waf').name).toMatch(/^aws-waf-logs-/);
  });
});

describe('ALB access logs', async () => {
  const logs = await hcl('modules/edge/access-logs.tf');
  const edge = await hcl('modules/edge/main.tf');

  it('go to a private, SSE-S3 encrypted bucket that expires them', () => {
    expect(block(logs, 'aws_s3_bucket', 'access_logs').count).toBe(tfRef('var.access_logs_enabled ? 1 : 0'));
    expect(block(logs, 'aws_s3_bucket_public_access_block', 'access_logs')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const sse = block(logs, 'aws_s3_bucket_server_side_encryption_configuration', 'access_logs');
    expect(first(first(sse.rule).apply_server_side_encryption_by_default).sse_algorithm).toBe('AES256');
    const lifecycle = block(logs, 'aws_s3_bucket_lifecycle_configuration', 'access_logs');
    expect(first(first(lifecycle.rule).expiration).days).toBe(tfRef('var.access_logs_expiration_days'));
  });

  it('the bucket policy lets ELB log delivery write exactly where the ALB writes', () => {
    const policy = block(logs, 'aws_iam_policy_document', 'access_logs');
    const delivery = (policy.statement as Json[]).find((s) => s.sid === 'ElbLogDelivery') ?? {};
    expect(first(delivery.principals)).toEqual({
      type: 'Service',
      identifiers: ['logdelivery.elasticloadbalancing.amazonaws.com'],
    });
    expect(delivery.actions).toEqual(['s3:PutObject']);
    expect(delivery.resources).toEqual([
      `${tfRef('aws_s3_bucket.access_logs[0].arn')}/${tfRef('local.access_logs_prefix')}/AWSLogs/${tfRef('data.aws_caller_identity.current.account_id')}/*`,
    ]);
    const alb = block(edge, 'aws_lb', 'this');
    const accessLogs = first(alb.dynamic?.access_logs);
    // Iterating over the policy: the ALB is configured only once the bucket accepts its logs.
    expect(accessLogs.for_each).toBe(tfRef('aws_s3_bucket_policy.access_logs'));
    expect(first(accessLogs.content)).toMatchObject({ prefix: tfRef('local.access_logs_prefix'), enabled: true });
  });

  it('are on in prod and off in dev', async () => {
    expect(first((await hcl('envs/prod/main.tf')).module?.stack).access_logs_enabled).toBe(true);
    expect(first((await hcl('envs/dev/main.tf')).module?.stack).access_logs_enabled).toBe(false);
  });
});
