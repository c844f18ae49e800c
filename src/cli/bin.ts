// The `credits` process: runs one command line with the process's own stdout and stderr.
import { runCli } from './main.ts';
import { processIo } from './output.ts';

// Output piped into `head` and the like: stop quietly when the reader goes away.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await runCli(process.argv.slice(2), processIo);
