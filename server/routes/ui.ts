/**
 * The editor: the built static files of ui/, or, before the editor is built, a small page that says so.
 */
import express, { Router } from 'express';

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cinegraph</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}code{background:#eee;padding:0 .3em}</style>
</head><body>
<h1>Cinegraph server</h1>
<p>The editor is not built yet (no <code>ui/dist</code>). Build it, or use the API:</p>
<ul>
<li><a href="/api/nodes">/api/nodes</a> — the node catalog</li>
<li><a href="/api/graphs">/api/graphs</a> — saved graph templates</li>
<li><a href="/api/runs">/api/runs</a> — run history</li>
<li><a href="/api/queue">/api/queue</a> — running and waiting runs</li>
<li><a href="/health">/health</a></li>
</ul>
</body></html>
`;

/**
 * Serves `uiDir` at `/`, or the "not built" page when `uiDir` is undefined.
 * @example app.use(uiRouter('ui/dist'));
 */
export function uiRouter(uiDir: string | undefined): Router {
  const router = Router();
  if (uiDir) {
    router.use(express.static(uiDir, { index: 'index.html', fallthrough: true }));
    return router;
  }
  router.get('/', (_req, res) => {
    res.type('html').send(NOT_BUILT);
  });
  return router;
}
