import { uploadsConfigSchema } from '@lfusys/uploads/config';
import { describe, expect, it } from 'vitest';
import { block, first, hcl, type Json, source, tfRef } from './support/hcl.ts';

/**
 * The uploads workers fetch the gateway's JWKS inside the VPC (issue 15): through the gateway's
 * Cloud Map name, on a port a security group rule opens to them, never through the public ALB
 * (which from a private subnet means out through NAT and back in through WAF).
 */
const JWKS_PATH = '/api/v1/.well-known/jwks.json';

describe('the uploads workers fetch the JWKS inside the VPC', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const network = await hcl('modules/network/main.tf');
  const cluster = await hcl('modules/cluster/outputs.tf');
  const gateway = first(stack.module?.gateway);
  const uploadsEnv = (first(stack.module?.uploads).environment ?? {}) as Json;
  const internalUrl = first(stack.locals).gateway_internal_url as string;

  it("JWKS_URL is the gateway's Cloud Map name on its container port, not the public origin", () => {
    expect(uploadsEnv.JWKS_URL).toBe(`${tfRef('local.gateway_internal_url')}${JWKS_PATH}`);
    expect(internalUrl).toBe(`http://gateway.${tfRef('module.cluster.namespace_name')}:${gateway.environment?.PORT}`);
    expect(gateway.container_ports).toContain(Number(gateway.environment?.PORT));
    expect(String(uploadsEnv.JWKS_URL)).not.toContain('app_origin');
    expect(first(cluster.output?.namespace_name).value).toBe(
      tfRef('aws_service_discovery_private_dns_namespace.this.name'),
    );
  });

  it('the gateway registers in that namespace under its own name, and serves the JWKS at that path', () => {
    expect(gateway.name).toBe('gateway');
    expect(gateway.service_discovery).toEqual({ namespace_id: tfRef('module.cluster.namespace_id') });
    expect(source('gateway/src/http/app.ts')).toContain("'/.well-known/jwks.json'");
    expect(source('gateway/src/http/cookies.ts')).toContain("API_PREFIX = '/api/v1'");
  });

  it('the value Terraform computes is valid uploads config', () => {
    const value = `http://gateway.acme-lfusys-dev.internal:8080${JWKS_PATH}`;
    expect(uploadsConfigSchema.shape.JWKS_URL.safeParse(value).success).toBe(true);
  });

  it("the uploads tasks may reach the gateway's port, and only they besides the ALB", () => {
    const ingress = block(network, 'aws_vpc_security_group_ingress_rule', 'gateway_from_uploads');
    expect(ingress).toMatchObject({
      security_group_id: tfRef('aws_security_group.gateway.id'),
      referenced_security_group_id: tfRef('aws_security_group.uploads.id'),
      from_port: tfRef('var.gateway_port'),
      to_port: tfRef('var.gateway_port'),
      ip_protocol: 'tcp',
    });
    const egress = block(network, 'aws_vpc_security_group_egress_rule', 'uploads_to_gateway');
    expect(egress).toMatchObject({
      security_group_id: tfRef('aws_security_group.uploads.id'),
      referenced_security_group_id: tfRef('aws_security_group.gateway.id'),
      from_port: tfRef('var.gateway_port'),
      to_port: tfRef('var.gateway_port'),
    });
    const intoGateway = Object.values(
      (network.resource?.aws_vpc_security_group_ingress_rule ?? {}) as Record<string, Json[]>,
    )
      .map(([rule]) => rule as Json)
      .filter((rule) => rule.security_group_id === tfRef('aws_security_group.gateway.id'));
    expect(intoGateway.map((rule) => rule.referenced_security_group_id).sort()).toEqual(
      [tfRef('aws_security_group.alb.id'), tfRef('aws_security_group.uploads.id')].sort(),
    );
    expect(intoGateway.every((rule) => rule.cidr_ipv4 === undefined)).toBe(true);
  });

  it('and the stack passes the port the gateway listens on', () => {
    expect(first(stack.module?.network).gateway_port).toBe(Number(gateway.environment?.PORT));
  });
});
