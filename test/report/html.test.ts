import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selfContainedHtml } from '../../src/report/html.js';
import { tempDir } from '../helpers/cli.js';

describe('self-contained HTML report', () => {
  it('inlines linked reports and their PNG figures, escapes text, keeps tables', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'm', 'figures'), { recursive: true });
    const png = readFileSync(new URL('../../docs/kinks-sliding.png', import.meta.url));
    writeFileSync(join(dir, 'm', 'figures', 'loss.png'), png);
    writeFileSync(join(dir, 'm', 'report.md'), '# Model <check>\n\n| a | b |\n|---|---|\n| 1 \\| 2 | **x** |\n\n![loss](figures/loss.png)\n');
    writeFileSync(join(dir, 'report.md'), '# Demo\n\n- see [m](m/report.md)\n');
    const html = selfContainedHtml('t', join(dir, 'report.md'));
    expect(html).toContain('<h1>Model &lt;check&gt;</h1>');
    expect(html).toContain('<td>1 | 2</td><td><strong>x</strong></td>');
    expect(html).toContain(`src="data:image/png;base64,${png.toString('base64')}"`);
    expect(html).toContain('<a href="#m-report-md">m</a>');
    expect(html).not.toMatch(/src="figures\//); // nothing refers to an outside file
  });
});
