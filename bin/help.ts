/**
 * The CLI's help texts, one per command.
 */

const NODES_FLAG = `  --nodes DIR         load user node packs from DIR (repeatable; also CINEGRAPH_NODES=dir1:dir2,
                      and <data>/nodes when it exists)`;

/** Help by command name; `''` is the overview. @example console.log(HELP.run); */
export const HELP: Record<string, string> = {
  '': `cinegraph — run node-graph workflows headless, or serve the editor

Usage:
  cinegraph run FILE [--set name=value ...] [--out DIR] [--json] [--no-cache] [--skip-errors]
  cinegraph validate FILE [--set name=value ...] [--json]
  cinegraph nodes [--json]
  cinegraph serve [--host H] [--port N] [--token T] [--data DIR]

Commands:
  run        run a graph file or a template name (e.g. \`cinegraph run contact-sheet\`)
  validate   check a graph and list every issue
  nodes      list the node types by category
  serve      start the HTTP + WebSocket server and the editor

Options:
  -h, --help      help (also \`cinegraph <command> --help\`)
  -v, --version   the version

Exit codes: 0 success, 1 the run failed, 2 invalid graph or arguments, 130 interrupted.
Environment: CINEGRAPH_NODES (user node pack folders), CINEGRAPH_DATA (data folder, default ./data),
CINEGRAPH_TOKEN (server token).`,

  run: `Usage: cinegraph run FILE [options]

Runs a graph. FILE is a graph JSON file or the name of a template (<data>/graphs or the shipped graphs/).
Progress goes to stderr, the outputs to stdout. Ctrl-C cancels the run (twice: exit at once).

Options:
  --set name=value    fill a graph param (repeatable); values are converted to the param's type
  --out DIR           folder output nodes write into (default ./output)
  --json              print one JSON object {runId, status, outputs} on stdout
  --no-cache          do not reuse cached results
  --skip-errors       skip a failing item of a stream instead of failing the run
${NODES_FLAG}

Exit codes: 0 succeeded, 1 failed (the failing node is printed), 2 invalid graph or arguments,
130 cancelled by Ctrl-C (143 by SIGTERM).`,

  validate: `Usage: cinegraph validate FILE [options]

Checks a graph against the node types and prints "valid", or every issue (one per line, node.input: message).

Options:
  --set name=value    fill a graph param first (repeatable)
  --json              print {valid, issues} as JSON on stdout
${NODES_FLAG}

Exit codes: 0 valid, 2 invalid.`,

  nodes: `Usage: cinegraph nodes [options]

Lists the node types (built-in and user packs) by category.

Options:
  --json              print the full catalog (types, conversions, nodes with inputs and outputs) as JSON
${NODES_FLAG}`,

  serve: `Usage: cinegraph serve [options]

Starts the server: the HTTP API, the WebSocket events and the editor. Ctrl-C stops it.

Options:
  --host H            address to bind (default 127.0.0.1; anything else needs a token)
  --port N            port (default 8188; 0 picks a free one)
  --token T           token required on HTTP and WebSocket (default: CINEGRAPH_TOKEN)
  --data DIR          data folder: history, uploads, saved graphs, nodes/ (default: CINEGRAPH_DATA or ./data)
${NODES_FLAG}`,
};
