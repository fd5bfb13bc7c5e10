import { describe, expect, it } from 'vitest';
import type { MailMessage, MailSender } from '../src/ports/mail-sender.ts';

/** What the contract reads back from an adapter: the messages it delivered, as a recipient sees them. */
export interface MailSenderUnderTest {
  sender: MailSender;
  delivered(): Promise<MailMessage[]>;
}

/**
 * The behaviour every MailSender adapter must have: one suite, run against the memory adapter and
 * the outbox adapter (whose files are parsed back as a mail client would).
 */
export function mailSenderContract(name: string, create: () => Promise<MailSenderUnderTest>): void {
  describe(`MailSender contract: ${name}`, () => {
    it('delivers the recipient, subject and text exactly, one message per send', async () => {
      const { sender, delivered } = await create();
      const text = 'Hello Ada,\n\nOpen http://localhost:8080/verify-email?token=abc_DEF-123 to verify.\n';
      await sender.send({ to: 'ada@example.com', subject: 'Verify your email', text });
      await sender.send({ to: 'grace@example.com', subject: 'Second', text: 'two' });
      const messages = await delivered();
      expect(messages).toHaveLength(2);
      expect(messages[0]).toMatchObject({ to: 'ada@example.com', subject: 'Verify your email' });
      expect(messages[0]?.text.trimEnd()).toBe(text.trimEnd());
      expect(messages[1]).toMatchObject({ to: 'grace@example.com', subject: 'Second' });
    });

    it('keeps non-ASCII subjects and bodies intact', async () => {
      const { sender, delivered } = await create();
      await sender.send({ to: 'zoe@example.com', subject: 'Zoë — réinitialiser 🔑', text: 'Grüße, 世界' });
      const [message] = await delivered();
      expect(message).toMatchObject({ subject: 'Zoë — réinitialiser 🔑' });
      expect(message?.text.trimEnd()).toBe('Grüße, 世界');
    });

    it('carries an HTML alternative when given one', async () => {
      const { sender, delivered } = await create();
      await sender.send({ to: 'ada@example.com', subject: 'Both', text: 'plain', html: '<p>rich</p>' });
      const [message] = await delivered();
      expect(message?.text.trimEnd()).toBe('plain');
      expect(message?.html).toContain('<p>rich</p>');
    });
  });
}
