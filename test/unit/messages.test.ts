import { describe, expect, test } from 'vitest';
import { MessageValidationError, normalizeOrigin, parseEnvelope, parseRequest } from '../../src/shared/messages.ts';

describe('parseRequest', () => {
  test('accepts each known request', () => {
    expect(parseRequest({ type: 'status' })).toEqual({ type: 'status' });
    expect(parseRequest({ type: 'visit', url: 'https://a.org/x?y=1', title: 'T' })).toEqual({
      type: 'visit',
      url: 'https://a.org/x?y=1',
      title: 'T',
    });
    expect(parseRequest({ type: 'sites.add', origin: 'Example.ORG' })).toEqual({ type: 'sites.add', origin: 'https://example.org' });
  });

  test.each([
    [null, 'a request must be an object'],
    [[], 'a request must be an object'],
    [{}, 'a request needs a string "type"'],
    [{ type: 'nope' }, 'unknown request type "nope"'],
    [{ type: 'status', more: 1 }, 'unexpected field "more"'],
    [{ type: 'visit', url: 'file:///etc/passwd', title: '' }, 'only http and https pages can be indexed, not file:'],
    [{ type: 'visit', url: 'chrome://settings', title: '' }, 'only http and https pages can be indexed, not chrome:'],
    [{ type: 'visit', url: 'https://u:p@a.org/', title: '' }, 'URLs with credentials are refused'],
    [{ type: 'visit', url: 'https://a.org/', title: 5 }, '"title" must be a string'],
    [{ type: 'visit', url: `https://a.org/${'x'.repeat(3000)}`, title: '' }, '"url" is longer than 2048 characters'],
    [{ type: 'sites.add', origin: 'javascript:alert(1)' }, 'only http and https pages can be indexed, not javascript:'],
    // A wildcard would register the reporter (and ask host access) for many sites at once (issue 15).
    [{ type: 'sites.add', origin: '*' }, '"*" is not one site\'s host name (no wildcards)'],
    [{ type: 'sites.add', origin: '*.example.com' }, '"*.example.com" is not one site\'s host name (no wildcards)'],
    [{ type: 'sites.add', origin: 'https://*.example.com' }, '"*.example.com" is not one site\'s host name (no wildcards)'],
    [{ type: 'sites.remove', origin: 'http://a*b.example.com:8080' }, '"a*b.example.com" is not one site\'s host name (no wildcards)'],
  ])('refuses %j with a clear error', (raw, message) => {
    expect(() => parseRequest(raw)).toThrow(new MessageValidationError(message));
  });

  test('an unknown type is quoted but truncated', () => {
    expect(() => parseRequest({ type: 'x'.repeat(1000) })).toThrow(/^unknown request type "x{40}"$/);
  });
});

describe('normalizeOrigin', () => {
  test('keeps scheme, host and port only', () => {
    expect(normalizeOrigin('http://127.0.0.1:8080/some/path?q')).toBe('http://127.0.0.1:8080');
    expect(normalizeOrigin('  news.example.com ')).toBe('https://news.example.com');
  });
});

describe('parseEnvelope', () => {
  test('passes values and errors, refuses garbage', () => {
    expect(parseEnvelope({ ok: true, value: 3 })).toEqual({ ok: true, value: 3 });
    expect(parseEnvelope({ ok: false, error: { name: 'E', message: 'm' } })).toEqual({ ok: false, error: { name: 'E', message: 'm' } });
    expect(() => parseEnvelope(undefined)).toThrow('the background sent no valid answer');
    expect(() => parseEnvelope({ ok: false, error: 'x' })).toThrow('the background sent a malformed error');
  });
});
