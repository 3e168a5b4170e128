import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log/logger.js';
import { logRequest } from './access-log.js';
import { problemDocument, problemFor, type Problem } from './problem.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';

function problemOf(err: NodeJS.ErrnoException): Problem {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return problemFor('FB_HEADERS_TOO_LARGE', `the request line and headers together exceed ${maxHeaderSize} bytes`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problemFor('FB_REQUEST_TIMEOUT', 'the request did not arrive in time');
    default:
      return problemFor('FB_BAD_REQUEST', `the request is not valid HTTP/1.1 (${err.code ?? 'parse error'})`);
  }
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses (headers too large, malformed request
 * lines, timeouts) never reaches Fastify's routes or hooks, so it is answered here, on the raw socket, as a
 * problem document like every other error, and logged like every other request.
 */
export function clientErrorHandler(logger: Logger): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return; // the client is gone: nobody to answer
    const p = problemOf(err);
    const requestId = requestIdOf({ headers: {} });
    // As Node itself does: answer only if nothing of an earlier answer on this connection is on the wire.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const body = JSON.stringify(problemDocument(p));
      const head = [`HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? ''}`, 'Content-Type: application/problem+json', `Content-Length: ${Buffer.byteLength(body)}`, `${REQUEST_ID_HEADER}: ${requestId}`, 'Connection: close'];
      socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
    } else {
      socket.destroy();
    }
    logRequest(logger, { method: null, route: null, status: p.status, latencyMs: null, requestId, ip: socket.remoteAddress });
  };
}
