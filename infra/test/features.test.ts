import { describe, expect, it } from 'vitest';
import { gatewayConfigSchema } from '../../gateway/src/config.ts';
import { uploadsConfigSchema } from '../../uploads/src/config.ts';
import { block, hcl, type Json, tfRef } from './support/hcl.ts';

/**
 * Terraform against the code for the features added in issues 13 and 14: which part writer the
 * uploads workers use and the S3 right it needs, and the SES identity account mail is sent from.
 */
describe('uploads part writer: one Terraform variable picks the writer and the S3 right it needs', async () => {
  const stack = await hcl('modules/stack/main.tf');
  const variables = await hcl('modules/stack/variables.tf');
  const iamVariables = await hcl('modules/iam/variables.tf');

  it('passes var.uploads_part_writer as UPLOADS_PART_WRITER, with a default uploads accepts', () => {
    expect(stack.module?.uploads?.[0]?.environment?.UPLOADS_PART_WRITER).toBe(tfRef('var.uploads_part_writer'));
    const fallback = variables.variable?.uploads_part_writer?.[0]?.default;
    expect(fallback).toBe('signed');
    expect(uploadsConfigSchema.shape.UPLOADS_PART_WRITER.safeParse(fallback).success).toBe(true);
    expect(uploadsConfigSchema.shape.UPLOADS_PART_WRITER.safeParse(undefined).data).toBe('signed');
  });

  it('grants the uploads role s3:PutObject only for the SDK writer', () => {
    expect(stack.module?.iam?.[0]?.uploads_write_parts).toBe(tfRef('var.uploads_part_writer == "sdk"'));
    expect(iamVariables.variable?.uploads_write_parts?.[0]?.default).toBe(false);
  });
});

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
