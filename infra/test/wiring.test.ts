import { describe, expect, it } from 'vitest';
import { block, first, hcl, type Json, resourceBlocks, tfRef } from './support/hcl.ts';

/**
 * Ordering and replacement (issue 15): what a plan accepts but a first apply or a later
 * replacement trips over — services starting before their roles can act, and resources whose fixed
 * names make a replacement collide with the object it replaces.
 */

const SERVICES = ['gateway', 'sessions', 'uploads'] as const;

describe('ECS services wait for their roles’ policies', async () => {
  const iam = await hcl('modules/iam/main.tf');
  const iamOutputs = await hcl('modules/iam/outputs.tf');
  const stack = await hcl('modules/stack/main.tf');
  const service = await hcl('modules/service/main.tf');

  it('the service’s task definition takes the role ARNs it is given, and the service runs that definition', () => {
    const definition = block(service, 'aws_ecs_task_definition', 'this');
    expect(definition.task_role_arn).toBe(tfRef('var.task_role_arn'));
    expect(definition.execution_role_arn).toBe(tfRef('var.execution_role_arn'));
    expect(block(service, 'aws_ecs_service', 'this').task_definition).toBe(tfRef('aws_ecs_task_definition.this.arn'));
  });

  for (const name of SERVICES) {
    it(`${name}: its task role ARN is an output that depends on the role's policy`, () => {
      const module = first(stack.module?.[name]);
      expect(module.task_role_arn).toBe(tfRef(`module.iam.${name}_task_role_arn`));
      expect(module.execution_role_arn).toBe(tfRef('module.iam.execution_role_arn'));
      const output = first(iamOutputs.output?.[`${name}_task_role_arn`]);
      expect(output.value).toBe(tfRef(`aws_iam_role.${name}.arn`));
      // Every inline policy of that role, not just the first one written.
      const policies = Object.entries((iam.resource?.aws_iam_role_policy ?? {}) as Record<string, Json[]>)
        .filter(([, [policy]]) => policy?.role === tfRef(`aws_iam_role.${name}.id`))
        .map(([policy]) => tfRef(`aws_iam_role_policy.${policy}`));
      expect(policies.length).toBeGreaterThan(0);
      expect(output.depends_on).toEqual(expect.arrayContaining(policies));
    });
  }

  it('the execution role ARN waits for its policy too (image pull, logs, secrets)', () => {
    expect(first(iamOutputs.output?.execution_role_arn).depends_on).toEqual([tfRef('aws_iam_role_policy.execution')]);
  });
});

describe('replaceable resources have unique names and are created before they are destroyed', async () => {
  const network = await hcl('modules/network/main.tf');
  const edge = await hcl('modules/edge/main.tf');

  it('every security group: name_prefix, create_before_destroy', () => {
    const groups = resourceBlocks(network, 'aws_security_group');
    expect(groups.length).toBe(4);
    for (const group of groups) {
      expect(group.name).toBeUndefined();
      expect(group.name_prefix).toMatch(/^\$\{var\.prefix\}-[a-z]+-$/);
      expect(first(group.lifecycle).create_before_destroy).toBe(true);
    }
  });

  it('every target group: name_prefix (AWS allows 6 characters), create_before_destroy, the listener follows by ARN', () => {
    const groups = resourceBlocks(edge, 'aws_lb_target_group');
    expect(groups.length).toBe(2);
    for (const group of groups) {
      expect(group.name).toBeUndefined();
      expect(String(group.name_prefix).length).toBeLessThanOrEqual(6);
      expect(first(group.lifecycle).create_before_destroy).toBe(true);
    }
    expect(new Set(groups.map((g) => g.name_prefix)).size).toBe(groups.length);
    const https = block(edge, 'aws_lb_listener', 'https');
    expect(first(https.default_action).target_group_arn).toBe(tfRef('aws_lb_target_group.gateway.arn'));
    const uploads = block(edge, 'aws_lb_listener_rule', 'uploads');
    expect(first(uploads.action).target_group_arn).toBe(tfRef('aws_lb_target_group.uploads.arn'));
  });
});
