/**
 * Access control: a token (when set) on every route but /health and on the WebSocket upgrade, and, for a
 * server bound to loopback, refusal of requests that a foreign web page makes through the user's browser
 * (a foreign `Origin`, or a `Host` that is not loopback: DNS rebinding).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { RequestHandler } from 'express';

/** Who may talk to the server. */
export interface AccessPolicy {
  /** When set, every request but /health must carry it. */
  token: string | undefined;
  /** The server listens on loopback only. */
  loopback: boolean;
}

/** A refused request: its status and JSON error. */
export interface Refusal {
  status: 401 | 403;
  type: 'unauthorized' | 'forbidden';
  message: string;
}

/** The cookie that carries the token for a browser once it opened `/?token=...`. */
export const TOKEN_COOKIE = 'cinegraph_token';

/**
 * Whether a host name or address is loopback.
 * @example isLoopbackHost('127.0.0.1') // true; isLoopbackHost('0.0.0.0') // false
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Compares two secrets in constant time (whatever their lengths).
 * @example tokensEqual(given, expected)
 */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries: `Authorization: Bearer`, `?token=`, or the browser cookie. @example requestToken(req) // 's3cret' */
export function requestToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match) return match[1];
  }
  const query = queryToken(req);
  if (query !== undefined) return query;
  return cookieValue(req.headers.cookie, TOKEN_COOKIE);
}

function queryToken(req: IncomingMessage): string | undefined {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get('token') ?? undefined;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function hostOf(value: string): string | undefined {
  try {
    return new URL(`http://${value}`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * Checks one request (HTTP or WebSocket upgrade) against the policy; undefined when allowed.
 * @example const refusal = checkAccess(req, { token: 's3cret', loopback: false });
 */
export function checkAccess(req: IncomingMessage, policy: AccessPolicy): Refusal | undefined {
  const host = req.headers.host ?? '';
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    const sameOrigin = originHost !== undefined && originHost.toLowerCase() === host.toLowerCase();
    const loopbackOrigin = originHost !== undefined && isLoopbackHost(hostOf(originHost) ?? '');
    if (!sameOrigin && !loopbackOrigin) {
      return { status: 403, type: 'forbidden', message: `cross-origin request from ${origin} refused` };
    }
  } else if (origin === 'null') {
    return { status: 403, type: 'forbidden', message: 'request from an opaque origin refused' };
  }
  if (policy.token === undefined) {
    // No token: only a loopback server gets here. A browser led to it by a rebound DNS name sends that name.
    if (policy.loopback && !isLoopbackHost(hostOf(host) ?? '')) {
      return { status: 403, type: 'forbidden', message: `requests for host "${host}" are refused: this server answers loopback names only` };
    }
    return undefined;
  }
  const given = requestToken(req);
  if (given === undefined) return { status: 401, type: 'unauthorized', message: 'this server needs a token: send "Authorization: Bearer <token>" or ?token=<token>' };
  if (!tokensEqual(given, policy.token)) return { status: 401, type: 'unauthorized', message: 'the token is wrong' };
  return undefined;
}

/**
 * Express middleware enforcing the policy on every route but /health. A valid `?token=` also sets an
 * HttpOnly, SameSite=Strict cookie so the editor's own assets and WebSocket load without the query.
 * @example app.use(accessGuard(policy));
 */
export function accessGuard(policy: AccessPolicy): RequestHandler {
  return (req, res, next) => {
    if (req.path === '/health') return next();
    const refusal = checkAccess(req, policy);
    if (refusal) {
      if (refusal.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="cinegraph"');
      res.status(refusal.status).json({ error: { type: refusal.type, message: refusal.message } });
      return;
    }
    if (policy.token !== undefined && queryToken(req) !== undefined) {
      res.cookie(TOKEN_COOKIE, policy.token, { httpOnly: true, sameSite: 'strict', path: '/' });
    }
    next();
  };
}
