import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { AppError } from '@lfusys/commons';
import type { MailMessage, MailSender } from '../ports/mail-sender.ts';

/**
 * Sends through Amazon SES v2 `SendEmail` with simple content: SES builds the MIME message
 * (multipart/alternative when there is HTML). The task role may send only as the configured
 * identity (Terraform scopes `ses:SendEmail` to it).
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 */
export class SesMailSender implements MailSender {
  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
  ) {}

  async send(message: MailMessage): Promise<void> {
    const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });
    try {
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.from,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: utf8(message.subject),
              Body: { Text: utf8(message.text), ...(message.html === undefined ? {} : { Html: utf8(message.html) }) },
            },
          },
        }),
      );
    } catch (err) {
      // Throttling, a paused account, a rejected address: none is the caller's input error.
      throw new AppError('unavailable', 'could not send mail', { cause: err });
    }
  }
}
