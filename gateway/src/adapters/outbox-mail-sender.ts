import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '@lfusys/commons';
import { createTransport, type Transporter } from 'nodemailer';
import type { MailMessage, MailSender } from '../ports/mail-sender.ts';

/**
 * The local mail adapter: every message becomes one RFC 5322 file (`<time>-<random>.eml`) in a
 * directory, readable by any mail client or a text editor. nodemailer's stream transport composes
 * the message (headers, MIME structure, encodings) without sending it anywhere.
 * https://nodemailer.com/transports/stream/
 */
export class OutboxMailSender implements MailSender {
  private readonly transport: Transporter;

  constructor(
    private readonly dir: string,
    private readonly from: string,
  ) {
    this.transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(message: MailMessage): Promise<void> {
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
      });
      await mkdir(this.dir, { recursive: true });
      // The time first so a directory listing reads in order; the random part keeps names unique.
      const name = `${new Date().toISOString().replaceAll(':', '-')}-${randomBytes(4).toString('hex')}.eml`;
      await writeFile(join(this.dir, name), info.message as Buffer, { flag: 'wx' });
    } catch (err) {
      throw new AppError('unavailable', 'could not write mail to the outbox', { cause: err });
    }
  }
}
