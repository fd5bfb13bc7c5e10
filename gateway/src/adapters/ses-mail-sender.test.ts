import { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { SesMailSender } from './ses-mail-sender.ts';

/**
 * SES cannot be reached from the tests' machines, so this checks the request the adapter builds:
 * a middleware at the start of the SDK's stack records the command input and answers for SES.
 * (gateway/test/ses-mail-sender.int.test.ts sends through the emulator's SES v2 as well.)
 */
function recordingClient(fail?: Error) {
  const client = new SESv2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const inputs: unknown[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      inputs.push(args.input);
      if (fail) throw fail;
      return { output: { $metadata: {}, MessageId: 'm-1' }, response: {} };
    },
    { step: 'initialize', name: 'recordSendEmail' },
  );
  return { client, inputs };
}

describe('SesMailSender', () => {
  it('sends SendEmail from the configured identity to the one recipient, with UTF-8 simple content', async () => {
    const { client, inputs } = recordingClient();
    await new SesMailSender(client, 'lfusys <no-reply@mail.example.com>').send({
      to: 'ada@example.com',
      subject: 'Réinitialiser',
      text: 'plain',
      html: '<p>rich</p>',
    });
    expect(inputs).toEqual([
      {
        FromEmailAddress: 'lfusys <no-reply@mail.example.com>',
        Destination: { ToAddresses: ['ada@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: 'Réinitialiser', Charset: 'UTF-8' },
            Body: { Text: { Data: 'plain', Charset: 'UTF-8' }, Html: { Data: '<p>rich</p>', Charset: 'UTF-8' } },
          },
        },
      },
    ]);
  });

  it('sends no HTML part when the message has none', async () => {
    const { client, inputs } = recordingClient();
    await new SesMailSender(client, 'no-reply@mail.example.com').send({ to: 'a@example.com', subject: 's', text: 't' });
    expect(inputs[0]).toMatchObject({ Content: { Simple: { Body: { Text: { Data: 't' } } } } });
    expect(JSON.stringify(inputs[0])).not.toContain('Html');
  });

  it('turns an SES refusal into unavailable, keeping the cause', async () => {
    const refusal = Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
    const { client } = recordingClient(refusal);
    await expect(
      new SesMailSender(client, 'no-reply@mail.example.com').send({ to: 'a@example.com', subject: 's', text: 't' }),
    ).rejects.toMatchObject({ code: 'unavailable', cause: refusal });
  });
});
