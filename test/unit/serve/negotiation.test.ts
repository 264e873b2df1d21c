// What a scraper's Accept and Accept-Encoding headers get: one quality-list parser for both.
import { describe, expect, it } from 'vitest';
import { acceptsGzip, negotiateFormat, qualities } from '../../../src/serve/negotiation.js';

describe('qualities', () => {
  it.each([
    ['gzip', [['gzip', 1]]],
    [
      'GZIP;q=0.2, deflate',
      [
        ['gzip', 0.2],
        ['deflate', 1],
      ],
    ],
    ['text/plain;version=0.0.4;q=0.5', [['text/plain', 0.5]]],
    ['a;q=0.1, a;q=0.7, a;q=0.3', [['a', 0.7]]],
    ['a;q=x, b', [['b', 1]]],
  ] as const)('%s → %j', (header, ranked) => {
    expect([...qualities(header)]).toEqual(ranked);
  });
});

describe('negotiateFormat', () => {
  it.each([
    [undefined, 'prometheus'],
    ['*/*', 'prometheus'],
    ['text/plain;version=0.0.4', 'prometheus'],
    [
      'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      'openmetrics',
    ],
    ['application/openmetrics-text; version=1.0.0', 'openmetrics'],
    ['text/plain;q=1,application/openmetrics-text;q=0.5', 'prometheus'],
    ['application/openmetrics-text;q=0', 'prometheus'],
  ] as const)('Accept %s → %s', (accept, format) => {
    expect(negotiateFormat(accept)).toBe(format);
  });
});

describe('acceptsGzip', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['identity', false],
    ['gzip;q=0', false],
    ['*', true],
    ['*;q=0.5, gzip;q=0', false],
    ['deflate, GZIP;q=0.2', true],
  ])('Accept-Encoding %s → %s', (header, accepted) => {
    expect(acceptsGzip(header)).toBe(accepted);
  });
});
