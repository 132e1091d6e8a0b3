/** report.md: the table of predictions (claim, source, predicted, measured, verdict) and the figures. */
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fmt } from '../util/errors.js';
import { packageInfo } from '../util/package-info.js';
import type { Model, Params } from '../models/types.js';
import type { CheckRow } from './run-checks.js';
import type { StageOutcome } from '../run/stages.js';
import { definedFlags, type SolverFlags } from '../run/solver-flags.js';

/** A `--verify` row (src/check/check-model.ts). */
interface Verified { readonly measured: number; readonly moved: number; readonly relative: number; readonly flipped: boolean }

function verifyCell(v: Verified): string {
  if (Number.isNaN(v.moved)) return Number.isNaN(v.measured) ? 'not measurable at the tight setting' : `${fmt(v.measured)}`;
  const rel = Number.isFinite(v.relative) ? ` (${fmt(v.relative)} relative)` : '';
  return `${fmt(v.measured)}: moved ${fmt(v.moved)}${rel}${v.flipped ? ' — **verdict flips**' : ''}`;
}

/** User text (a model file's name or description) as Markdown text: `<`, `>` and `&` backslash-escaped, so no raw HTML reaches a renderer. */
const text = (s: string): string => s.replace(/[<>&]/g, (c) => `\\${c}`);
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function reportMarkdown(model: Model, params: Params, rows: readonly CheckRow[], outcome: StageOutcome, figures: readonly { readonly title: string; readonly paths: { readonly png: string } }[], dir: string, extra = '', verification: { readonly rows: readonly Verified[]; readonly how: string } | null = null, flags: SolverFlags = {}): string {
  const verify = verification?.rows ?? null;
  const passed = rows.filter((r) => r.verdict.pass).length;
  const unmeasured = rows.filter((r) => r.verdict.notMeasurable !== undefined).length;
  const stages = outcome.stages;
  const f = Object.entries(definedFlags(flags));
  const flagText = f.length ? ` Solver flags: ${f.map(([k, v]) => `${k} = ${typeof v === 'number' ? fmt(v) : String(v)}`).join(', ')} (over the model's own settings).` : ' Solver settings: the model\'s own.';
  const vHead = verification ? ` measured again ${verification.how.replace(/ \(.*\)$/, '')} |` : '';
  const vSep = verify ? '---|' : '';
  const lines: string[] = [
    `# ${text(model.title)}: prediction check`,
    '',
    `${text(model.cite)}`,
    '',
    `gradflow ${packageInfo().version}; parameters: ${Object.entries(params).map(([k, v]) => `${k} = ${typeof v === 'number' ? fmt(v) : v}`).join(', ')}.${flagText}`,
    '',
    `**${passed} of ${rows.length} predictions hold${unmeasured > 0 ? `; ${unmeasured} not measurable` : ''}.**`,
    '',
    ...(verification ? [`Verified: every prediction was measured again ${verification.how}; ${verification.rows.filter((v) => v.flipped).length} verdict(s) flip.`, ''] : []),
    `| prediction | claim | source | predicted | measured | tolerance | verdict |${vHead}`,
    `|---|---|---|---|---:|---|---|${vSep}`,
    ...rows.map((r, i) => {
      const s = r.prediction.source;
      return `| ${r.prediction.id} | ${cell(r.prediction.claim)} | ${cell(s.where ? `${s.paper}, ${s.where}` : s.paper)} (${s.status}) | ${cell(r.verdict.predicted)} | ${r.verdict.notMeasurable !== undefined ? '—' : fmt(r.verdict.measured)} | ${cell(r.verdict.tolerance)} | ${r.verdict.notMeasurable !== undefined ? '*not measurable*' : r.verdict.pass ? 'PASS' : '**FAIL**'} |${verify ? ` ${cell(verifyCell(verify[i]))} |` : ''}`;
    }),
    '',
    '## Details',
    '',
    ...rows.map((r) => `- **${r.prediction.id}** (${r.verdict.notMeasurable !== undefined ? 'not measurable' : r.verdict.pass ? 'pass' : 'FAIL'}): ${r.verdict.detail}`),
    '',
  ];
  if (extra.trim() !== '') lines.push(extra.trim(), '');
  if (outcome.reason) lines.push('## Stages of the default run', '', `No stages: ${outcome.reason}.`, '');
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
