import Bowser from 'bowser';

/** Longest `User-Agent` kept with a login session; real browsers send 100–300 characters. */
export const MAX_USER_AGENT_LENGTH = 512;
/** Longest raw string shown when no browser or system can be recognised in it. */
const MAX_SHOWN_RAW = 60;

/** The `User-Agent` header as stored: trimmed and cut to a bounded length, or undefined when empty. */
export function boundUserAgent(header: string | undefined): string | undefined {
  const value = header?.trim().slice(0, MAX_USER_AGENT_LENGTH);
  return value ? value : undefined;
}

/**
 * A readable name for a device, as a user recognises it: "Chrome 131 on macOS". Parsed with
 * bowser (a maintained parser, the one the AWS SDK itself uses). A string naming neither a
 * browser nor a system (curl, a script) is shown as sent, cut short.
 */
export function describeUserAgent(raw: string | undefined): string {
  if (!raw) return 'Unknown device';
  const { browser, os } = Bowser.parse(raw);
  const major = browser.version?.split('.')[0];
  const name = browser.name ? [browser.name, major].filter(Boolean).join(' ') : undefined;
  if (name && os.name) return `${name} on ${os.name}`;
  if (name) return name;
  if (os.name) return `Unknown browser on ${os.name}`;
  return raw.length > MAX_SHOWN_RAW ? `${raw.slice(0, MAX_SHOWN_RAW)}…` : raw;
}
