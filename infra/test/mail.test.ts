import { gatewayConfigSchema } from '@lfusys/gateway/config';
import { describe, expect, it } from 'vitest';
import { block, hcl, type Json, tfRef } from './support/hcl.ts';

/** Terraform against the code for account mail (issue 14): the SES identity it is sent from. */
describe('account mail: an SES identity, the gateway sends only as it, its config keys', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const mail = await hcl('modules/mail/main.tf');
  const mailOutputs = await hcl('modules/mail/outputs.tf');
  const iam = await hcl('modules/iam/main.tf');
  const gatewayEnv = ((stack.module?.gateway?.[0] as Json | undefined)?.environment ?? {}) as Json;

  it('creates one SES v2 identity, the domain_name unless mail_identity names another', () => {
    expect(block(mail, 'aws_sesv2_email_identity', 'this').email_identity).toBe(tfRef('var.identity'));
    expect(stack.module?.mail?.[0]?.identity).toBe(tfRef('coalesce(var.mail_identity, var.domain_name)'));
  });

  it('scopes ses:SendEmail to that identity and its one From address', () => {
    const statements = (block(iam, 'aws_iam_policy_document', 'gateway').statement ?? []) as Json[];
    const send = statements.find((s) => (s.actions as string[]).includes('ses:SendEmail'));
    expect(send?.resources).toEqual([tfRef('var.mail_identity_arn')]);
    expect(send?.condition?.[0]).toMatchObject({
      test: 'StringEquals',
      variable: 'ses:FromAddress',
      values: [tfRef('var.mail_from_address')],
    });
    expect(stack.module?.iam?.[0]).toMatchObject({
      mail_identity_arn: tfRef('module.mail.identity_arn'),
      mail_from_address: tfRef('module.mail.from_address'),
    });
    expect(mailOutputs.output?.identity_arn?.[0]?.value).toBe(tfRef('aws_sesv2_email_identity.this.arn'));
  });

  it('makes the gateway send through SES from that address, with values its config accepts', () => {
    const shape = gatewayConfigSchema.shape;
    expect(gatewayEnv.MAIL_TRANSPORT).toBe('ses');
    expect(shape.MAIL_TRANSPORT.safeParse(gatewayEnv.MAIL_TRANSPORT).success).toBe(true);
    expect(gatewayEnv.MAIL_FROM).toBe(`lfusys <${tfRef('module.mail.from_address')}>`);
    const rendered = String(gatewayEnv.MAIL_FROM).replace(tfRef('module.mail.from_address'), 'no-reply@example.com');
    expect(shape.MAIL_FROM.safeParse(rendered).success).toBe(true);
  });
});
