import type { MailMessage } from '../ports/mail-sender.ts';
import type { UserRecord } from '../ports/user-repository.ts';

/**
 * The three account messages. Plain text only: every client shows it, links stay visible and
 * nothing user-supplied (the name) can turn into markup. Links carry the token in the query, on
 * the app's own origin (DESIGN §9.4).
 */
export function verifyEmailMessage(user: UserRecord, link: string, ttlSeconds: number): MailMessage {
  return {
    to: user.email,
    subject: 'Verify your email for lfusys',
    text: [
      `Hello ${user.name},`,
      '',
      'Please confirm that this is your email address by opening this link:',
      '',
      link,
      '',
      `The link works once and expires in ${describeDuration(ttlSeconds)}.`,
      'If you did not create an lfusys account, ignore this message.',
    ].join('\n'),
  };
}

export function resetPasswordMessage(user: UserRecord, link: string, ttlSeconds: number): MailMessage {
  return {
    to: user.email,
    subject: 'Reset your lfusys password',
    text: [
      `Hello ${user.name},`,
      '',
      'Someone (hopefully you) asked to reset the password of your lfusys account.',
      'To choose a new password, open this link:',
      '',
      link,
      '',
      `The link works once and expires in ${describeDuration(ttlSeconds)}.`,
      'If you did not ask for this, ignore this message: your password stays as it is.',
    ].join('\n'),
  };
}

export function passwordChangedMessage(user: UserRecord, appOrigin: string): MailMessage {
  return {
    to: user.email,
    subject: 'Your lfusys password was changed',
    text: [
      `Hello ${user.name},`,
      '',
      'The password of your lfusys account was just changed, and every other signed-in device was signed out.',
      '',
      `If this was not you, reset your password now at ${new URL('/forgot-password', appOrigin).href}`,
    ].join('\n'),
  };
}

export function emailChangedMessage(user: UserRecord, previousEmail: string, appOrigin: string): MailMessage {
  return {
    to: previousEmail,
    subject: 'Your lfusys email was changed',
    text: [
      `Hello ${user.name},`,
      '',
      `The email of your lfusys account was changed from this address to ${user.email}.`,
      '',
      `If this was not you, sign in at ${appOrigin} and change it back, or reply to this message.`,
    ].join('\n'),
  };
}

/** `<origin>/<page>?token=<token>`: the page of the web app that redeems the token. */
export function tokenLink(appOrigin: string, page: 'verify-email' | 'reset-password', token: string): string {
  const url = new URL(`/${page}`, appOrigin);
  url.searchParams.set('token', token);
  return url.href;
}

function describeDuration(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`;
  const minutes = Math.max(1, Math.round(seconds / 60));
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
