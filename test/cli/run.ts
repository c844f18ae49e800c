// The `credits` command driven in-process, as the process would run it but with its output
// captured: no start-up per call, so a loaded machine can't make a test time out.
import { runCli } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** The last line a command printed, for its summary. */
export const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

export async function credits(...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (s) => out.push(`${s}\n`), err: (s) => err.push(`${s}\n`) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
