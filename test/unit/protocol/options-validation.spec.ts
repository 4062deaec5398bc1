import { decodeMessage } from '../../../lib/core/index.js';
import { decodeError, STRICT } from './decode-assertions.js';
import {
  KNOWN_KEYS,
  OPTION_CASES,
  PAYLOAD_PASSTHRU_CASES,
  PAYLOAD_PASSTHRU_DICTS,
  PAYLOAD_PASSTHRU_KEYS,
  type CheckedDict,
} from './wamp-vectors.fixture.js';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('Options / Details validation (own cases)', () => {
  it('has a valid and an invalid case for every known key of every checked dict', () => {
    const dicts = Object.keys(KNOWN_KEYS) as CheckedDict[];
    expect(dicts).toHaveLength(15);
    const paths = dicts.flatMap((dict) => Object.keys(KNOWN_KEYS[dict]).map((key) => `${dict}.${key}`));
    const withoutValid = paths.filter((path) => !OPTION_CASES.some((c) => c.path === path && c.valid));
    const withoutInvalid = paths.filter((path) => !OPTION_CASES.some((c) => c.path === path && !c.valid));
    expect(withoutValid).toEqual([]);
    expect(withoutInvalid).toEqual([]);
    expect([...new Set(OPTION_CASES.map((c) => c.path.split('.')[1]))].sort()).toEqual([
      'Details',
      'Options',
    ]);
    expect(OPTION_CASES.length).toBeGreaterThanOrEqual(67);
  });

  it.each(OPTION_CASES.map((sample) => [sample.name, sample] as const))('%s', (_name, sample) => {
    const [, dictName, key] = sample.path.split('.');
    if (!sample.valid) {
      const error = decodeError(sample.wmsg, STRICT);
      expect(error.uri).toBe('wamp.error.protocol_violation');
      // The key must be named as a key of the Options/Details dict, e.g. "PUBLISH.Options.retain"...
      expect(error.message).toMatch(new RegExp(`\\.(Options|Details)\\.${key}\\b`));
      // ...of this message, and not a longer key (a list index or role name may follow).
      expect(error.message).toMatch(new RegExp(`^${escapeRegExp(sample.path)}(?![A-Za-z0-9_])`));
      return;
    }
    const decoded = decodeMessage(sample.wmsg, STRICT) as unknown as Record<string, Record<string, unknown>>;
    // Accepted values are kept as sent.
    expect(decoded[dictName === 'Options' ? 'options' : 'details'][key]).toBe(sample.value);
  });
});

describe('payload passthru keys (refused on purpose: the router does not offer payload_passthru_mode)', () => {
  it('covers enc_algo and ppt_scheme in every dict that may carry them', () => {
    const paths = PAYLOAD_PASSTHRU_CASES.map((sample) => sample.path);
    for (const dict of PAYLOAD_PASSTHRU_DICTS) {
      for (const key of PAYLOAD_PASSTHRU_KEYS) expect(paths).toContain(`${dict}.${key}`);
    }
  });

  it.each(PAYLOAD_PASSTHRU_CASES.map((sample) => [sample.name, sample] as const))('%s', (_name, sample) => {
    const error = decodeError(sample.wmsg, STRICT);
    expect(error.uri).toBe('wamp.error.protocol_violation');
    expect(error.message).toBe(
      `${sample.path} is not supported: this router does not offer payload_passthru_mode`,
    );
  });
});
