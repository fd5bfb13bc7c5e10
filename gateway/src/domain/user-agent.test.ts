import { describe, expect, it } from 'vitest';
import { boundUserAgent, describeUserAgent, MAX_USER_AGENT_LENGTH } from './user-agent.ts';

const CHROME_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const EDGE_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('describeUserAgent', () => {
  it('names the browser, its major version and the system', () => {
    expect(describeUserAgent(CHROME_MAC)).toBe('Chrome 131 on macOS');
    expect(describeUserAgent(FIREFOX_LINUX)).toBe('Firefox 133 on Linux');
    expect(describeUserAgent(SAFARI_IPHONE)).toBe('Safari 17 on iOS');
    expect(describeUserAgent(EDGE_WINDOWS)).toBe('Microsoft Edge 131 on Windows');
    expect(describeUserAgent('lfusys-cli/1.0 (Linux)')).toBe('lfusys-cli 1 on Linux');
  });

  it('names the system alone when no browser is recognised', () => {
    expect(describeUserAgent('(Macintosh; Intel Mac OS X 10_15_7)')).toBe('Unknown browser on macOS');
  });

  it('shows a string naming no browser as sent, cut short, and a missing one as an unknown device', () => {
    expect(describeUserAgent('curl/8.5.0')).toBe('curl/8.5.0');
    expect(describeUserAgent(`x${'y'.repeat(100)}`)).toBe(`x${'y'.repeat(59)}…`);
    expect(describeUserAgent(undefined)).toBe('Unknown device');
  });
});

describe('boundUserAgent', () => {
  it('trims, caps the length and drops an empty header', () => {
    expect(boundUserAgent(`  ${CHROME_MAC} `)).toBe(CHROME_MAC);
    expect(boundUserAgent('a'.repeat(5000))).toHaveLength(MAX_USER_AGENT_LENGTH);
    expect(boundUserAgent('   ')).toBeUndefined();
    expect(boundUserAgent(undefined)).toBeUndefined();
  });
});
