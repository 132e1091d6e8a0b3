/** Process entry: run the CLI on argv and exit with its code. */
import { main } from './main.js';

// a closed pipe (`gradflow solve … | head -1`) ends the output, not the program with a stack trace
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv.slice(2));
