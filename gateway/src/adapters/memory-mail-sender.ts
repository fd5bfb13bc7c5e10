import type { MailMessage, MailSender } from '../ports/mail-sender.ts';

/** Keeps every message in memory (unit tests of the account flows). */
export class MemoryMailSender implements MailSender {
  readonly sent: MailMessage[] = [];

  async send(message: MailMessage): Promise<void> {
    this.sent.push({ ...message });
  }
}
