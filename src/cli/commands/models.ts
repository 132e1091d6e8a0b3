/** `gradflow models`: every registered model with its parameters. */
import type { Command } from 'commander';
import { MODELS } from '../../models/registry.js';
import { bundledExamples } from '../../modelfile/locate.js';
import { fmt } from '../../util/errors.js';
import type { CliIO } from '../io.js';

export function registerModels(program: Command, io: CliIO): void {
  program
    .command('models')
    .description('list the registered models with their parameters (default, range, meaning), and the bundled model files')
    .action(() => {
      const lines: string[] = [];
      for (const m of MODELS.values()) {
        lines.push(`${m.id}: ${m.title}`, `  ${m.cite}`);
        for (const [name, p] of Object.entries(m.params)) {
          const what = p.kind === 'choice' ? `${p.default} (one of ${p.choices.join(', ')})` : `${fmt(p.default)} in [${fmt(p.range[0])}, ${fmt(p.range[1])}]${p.integer ? ', integer' : ''}`;
          lines.push(`  --set ${name}=${what}: ${p.doc}`);
        }
        lines.push(`  predictions: ${m.predictions.map((q) => q.id).join(', ') || '(none)'}`, '');
      }
      lines.push(`model files (examples/, usable by name): ${bundledExamples().join(', ')}`);
      io.out(`${lines.join('\n')}\n`);
    });
}
