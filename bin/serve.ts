/**
 * `cinegraph serve`: starts the server with the built-in and user node packs; Ctrl-C closes it.
 * The server module is imported only here, so the other commands work whatever state it is in.
 */
import { EXIT, parseCommand, UsageError } from './args.js';
import { dataDirOf, loadRegistry, warn } from './common.js';
import { HELP } from './help.js';

/**
 * Runs the `serve` command: resolves with the exit code once the server is closed.
 * @example const { code } = await serveCommand(['--port', '0']);
 */
export async function serveCommand(args: string[]): Promise<{ code: number; stdout: string }> {
  const { values } = parseCommand(
    'serve',
    args,
    {
      host: { type: 'string' },
      port: { type: 'string' },
      token: { type: 'string' },
      data: { type: 'string' },
      nodes: { type: 'string', multiple: true },
    },
    0,
  );
  if (values.help) return { code: EXIT.ok, stdout: `${HELP.serve}\n` };
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new UsageError(`--port takes a port number 0..65535, got "${values.port}"`, 'serve');
  }
  const dataDir = dataDirOf(values.data);
  const registry = await loadRegistry('serve', values.nodes, dataDir);

  let server: Awaited<ReturnType<typeof import('../server/index.js').startServer>>;
  try {
    const { startServer, installProcessGuards } = await import('../server/index.js');
    const logger = { info: (m: string) => warn(m), warn: (m: string) => warn(`warning: ${m}`), error: (m: string) => warn(`error: ${m}`) };
    server = await startServer({
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(values.token !== undefined ? { token: values.token } : {}),
      dataDir,
      registry,
      logger,
    });
    installProcessGuards(logger);
  } catch (error) {
    warn(`error: the server did not start: ${(error as Error).message}`);
    return { code: EXIT.failed, stdout: '' };
  }
  process.stdout.write(`cinegraph is serving at ${server.url}\n`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const again = () => process.exit(EXIT.interrupted);
  process.on('SIGINT', again);
  warn(`${signal}: closing the server (Ctrl-C again exits at once)`);
  await server.close();
  return { code: EXIT.ok, stdout: 'closed\n' };
}
