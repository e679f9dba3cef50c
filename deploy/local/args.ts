export const COMMANDS = ['up', 'down', 'infra', 'test', 'test-faults', 'buf-breaking', 'bench'] as const;
export type Command = (typeof COMMANDS)[number];

export type ParsedArgs = { command: Command; args: string[] } | { error: string };

export const USAGE = `Usage: node --import tsx deploy/local/cli.ts <command>

  up               start the stores and every service, stay in the foreground (npm start)
  down             stop what \`up\` started, and anything a gone run left behind (npm stop)
  infra            make sure Kafka, PostgreSQL and Redis run; print their env (npm run infra:up)
  test [jest args] lint, types, format, protobuf, then Jest; with args only Jest (npm test -- libs/money)
  test-faults      the fault-injection suite alone; its table goes to docs/reliability.md (npm run test:faults)
  buf-breaking     buf breaking against main (npm run proto:breaking)
  bench <name>     run bench/<name>.bench.ts against the stores (npm run bench:outbox)`;

function isCommand(word: string | undefined): word is Command {
  return (COMMANDS as readonly string[]).includes(word ?? '');
}

/** `cli.ts <command> [args]`; a leading `--` before the args is dropped (`npm test -- -- x` habits). */
export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (!isCommand(command)) {
    return { error: command ? `Unknown command "${command}".` : 'No command given.' };
  }
  const args = rest[0] === '--' ? rest.slice(1) : rest;
  switch (command) {
    case 'bench':
      if (!args[0] || args[0].startsWith('-')) return { error: 'bench needs a name, e.g. `bench outbox`.' };
      return { command, args };
    case 'test':
    case 'test-faults':
      return { command, args };
    case 'up':
    case 'down':
    case 'infra':
    case 'buf-breaking':
      if (args.length > 0) return { error: `${command} takes no arguments (got: ${args.join(' ')}).` };
      return { command, args };
  }
}
