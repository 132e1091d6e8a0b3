/** report.md: the table of predictions (claim, source, predicted, measured, verdict) and the figures. */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fmt } from '../util/errors.js';
import { packageInfo } from '../util/package-info.js';
import type { Model, Params } from '../models/types.js';
import type { CheckRow } from './run-checks.js';
import type { Stage } from '../stages/index.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function reportMarkdown(model: Model, params: Params, rows: readonly CheckRow[], stages: readonly Stage[], figures: readonly { readonly title: string; readonly paths: { readonly png: string } }[], dir: string, extra = ''): string {
  const passed = rows.filter((r) => r.verdict.pass).length;
  const lines: string[] = [
    `# ${model.title}: prediction check`,
    '',
    `${model.cite}`,
    '',
    `gradflow ${packageInfo().version}; parameters: ${Object.entries(params).map(([k, v]) => `${k} = ${typeof v === 'number' ? fmt(v) : v}`).join(', ')}.`,
    '',
    `**${passed} of ${rows.length} predictions hold.**`,
    '',
    '| prediction | claim | source | predicted | measured | tolerance | verdict |',
    '|---|---|---|---|---:|---|---|',
    ...rows.map((r) => {
      const s = r.prediction.source;
      return `| ${r.prediction.id} | ${cell(r.prediction.claim)} | ${cell(`${s.paper}, ${s.where}`)} (${s.status}) | ${cell(r.verdict.predicted)} | ${fmt(r.verdict.measured)} | ${cell(r.verdict.tolerance)} | ${r.verdict.pass ? 'PASS' : '**FAIL**'} |`;
    }),
    '',
    '## Details',
    '',
    ...rows.map((r) => `- **${r.prediction.id}** (${r.verdict.pass ? 'pass' : 'FAIL'}): ${r.verdict.detail}`),
    '',
  ];
  if (extra.trim() !== '') lines.push(extra.trim(), '');
  if (stages.length > 0) {
    lines.push('## Stages of the default run', '', '| kind | t from | t to | loss from | loss to | moved most |', '|---|---:|---:|---:|---:|---|');
    for (const s of stages) lines.push(`| ${s.kind} | ${fmt(s.tStart)} | ${fmt(s.tEnd)} | ${fmt(s.lossStart)} | ${fmt(s.lossEnd)} | ${s.movers.slice(0, 2).map((m) => m.name).join(', ')} |`);
    lines.push('');
  }
  if (figures.length > 0) {
    lines.push('## Figures', '');
    for (const f of figures) lines.push(`### ${f.title}`, '', `![${f.title}](${relative(dir, f.paths.png)})`, '');
  }
  return lines.join('\n');
}

export function writeReport(dir: string, markdown: string): string {
  const path = join(dir, 'report.md');
  writeFileSync(path, markdown);
  return path;
}
