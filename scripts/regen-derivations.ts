/** Rewrites every derivation's generated file (`npm run derive`). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DERIVATIONS } from '../derivations/index.js';
import { packageInfo } from '../src/util/package-info.js';

for (const d of DERIVATIONS) {
  writeFileSync(join(packageInfo().root, d.output), d.derive());
  console.log(`wrote ${d.output}`);
}
