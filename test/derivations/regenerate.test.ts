import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DERIVATIONS } from '../../derivations/index.js';
import { packageInfo } from '../../src/util/package-info.js';

describe.each(DERIVATIONS)('derivation $name', (d) => {
  it('regenerates byte for byte to the checked-in file (run `npm run derive` after changing it)', () => {
    expect(d.derive()).toBe(readFileSync(join(packageInfo().root, d.output), 'utf8'));
  });
  it('agrees with the closed form it derives', () => {
    expect(d.derive()).toMatch(/\(agree\)/);
    expect(d.derive()).not.toMatch(/DISAGREE/);
  });
});
