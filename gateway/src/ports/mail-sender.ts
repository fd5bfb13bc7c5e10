/** One message to one recipient: plain text always, HTML optionally (sent as multipart/alternative). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Sends account mail (verify your email, reset your password, your password was changed). The
 * sender address is the adapter's configuration, never the caller's choice.
 */
export interface MailSender {
  /** Resolves once the message is accepted for delivery; throws `unavailable` when it was not. */
  send(message: MailMessage): Promise<void>;
}
