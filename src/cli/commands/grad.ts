/** `gradflow grad MODEL`: print the derived gradient (or the rhs), as text or LaTeX. */
import type { Command } from 'commander';
import { loadModelFile } from '../../modelfile/system.js';
import { buildSystem } from '../../modelfile/system.js';
import { buildArraySystem } from '../../modelfile/array-system.js';
import { formatGradient } from '../../tensor/format.js';
import { toLatex, toText } from '../../expr/index.js';
import type { CliIO } from '../io.js';
import { resolveModelPath } from '../../modelfile/locate.js';

export function registerGrad(program: Command, io: CliIO): void {
  program
    .command('grad')
    .description('print ∂L/∂θ for every state variable (or the rhs of a general ODE), as derived and simplified')
    .argument('<model>', 'a model file (.json) or the name of a bundled example')
    .option('--latex', 'print LaTeX instead of the expression language')
    .action((modelArg: string, flags: { latex?: boolean }) => {
      const spec = loadModelFile(resolveModelPath(modelArg));
      if (spec.array) {
        const { compiled, layout } = buildArraySystem(spec);
        const gradients = layout.map((b) => [b.name, compiled.gradients.get(b.name) ?? null] as const);
        const notes = compiled.notes.map((n) => `${flags.latex ? '%' : '#'} ${n}\n`).join('');
        io.out(`${notes}${formatGradient({ names: compiled.names, loss: compiled.lossNode, gradients }, flags.latex === true)}\n`);
        return;
      }
      const system = buildSystem(spec);
      const show = flags.latex ? toLatex : toText;
      const lines: string[] = [];
      if (system.loss && system.gradient) {
        lines.push(flags.latex ? `L = ${toLatex(system.loss)}` : `L = ${toText(system.loss)}`);
        system.stateNames.forEach((name, i) => {
          const g = system.gradient![i];
          lines.push(flags.latex ? `\\frac{\\partial L}{\\partial ${name}} = ${show(g)}` : `dL/d${name} = ${show(g)}`);
        });
        lines.push(flags.latex ? '% kinks: relu\'(0) = heaviside(0) = 0, |x|\'(0) = sign(0) = 0' : '# kinks: relu\'(0) = heaviside(0) = 0, abs\'(0) = sign(0) = 0; max/min ties: the first argument carries the derivative');
      } else {
        system.stateNames.forEach((name, i) => {
          lines.push(flags.latex ? `\\dot{${name}} = ${show(system.field[i])}` : `d${name}/dt = ${show(system.field[i])}`);
        });
      }
      io.out(`${lines.join('\n')}\n`);
    });
}
