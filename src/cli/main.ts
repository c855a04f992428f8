/** Entry point of the `layerlab` command. Returns the exit status. */
import { parseArgs } from 'node:util';
import { inspectCommand } from './inspect';
import { processIO, type CliIO } from './io';

export const USAGE = `Usage: layerlab <command> [options]

Commands:
  inspect FILE [--json]   Validate a graph file (or a preset name such as lenet5) and print every
                          node's output shape and parameter count, the totals and any problems.
                          Exit status: 0 valid, 1 graph has errors, 2 file cannot be read or parsed.

Options:
  -h, --help              Show this help.
`;

export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (e) {
    io.err(`layerlab: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    (command || parsed.values.help ? io.out : io.err)(USAGE);
    return parsed.values.help ? 0 : 2;
  }
  switch (command) {
    case 'inspect':
      if (rest.length !== 1) {
        io.err(`layerlab inspect takes one FILE.\n\n${USAGE}`);
        return 2;
      }
      return inspectCommand(rest[0]!, parsed.values.json, io);
    default:
      io.err(`layerlab: unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}
