import { createServer, type Server } from 'node:net';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { TrafficRecord } from './exchange.js';
import { buildNoticeReply, type NoticeHandler } from './notice-reply.js';
import { TelegramSocket } from './telegram-socket.js';
import { TrafficStamper } from './traffic.js';
import { errorDetails } from '../log/error-details.js';

export interface NoticeServerOptions {
  readonly codec: TelegramCodec;
  readonly onNotice: NoticeHandler;
  readonly onTraffic?: (r: TrafficRecord) => void | Promise<void>;
  readonly logger?: Logger;
}

/**
 * The inbound side: a listener a bank connects to (Hecto's "업체 수신" mode) to push notices (4000/100
 * deposits, 3000/100 failures). Each notice goes to the handler; the reply goes out only after the
 * handler resolved (i.e. after the notice is persisted), echoing the reserved areas. A handler that
 * throws means no reply: the bank sends the notice again. One bad frame closes that connection only.
 */
export class NoticeServer {
  private readonly server: Server;
  private readonly log: Logger;
  private readonly sockets = new Set<TelegramSocket>();

  constructor(private readonly options: NoticeServerOptions) {
    this.log = options.logger ?? silentLogger;
    const traffic = new TrafficStamper(options.codec.spec);
    this.server = createServer((raw) => {
      const peer = `${raw.remoteAddress}:${raw.remotePort}`;
      const socket: TelegramSocket = new TelegramSocket(raw, options.codec, {
        telegram: (t, bytes) => {
          const copy = Buffer.from(bytes);
          options.onTraffic?.(traffic.record('in', t.message, copy));
          const spec = options.codec.message(t.message);
          if (spec.from !== 'bank' || !spec.response) {
            this.log.warn('notice-server.unexpected', { peer, message: t.message });
            return;
          }
          options
            .onNotice(t, copy)
            .then((extra) => {
              const reply = buildNoticeReply(options.codec, t, copy, extra ?? {});
              socket.send(reply.raw, () => options.onTraffic?.(traffic.record('out', reply.message, reply.raw)));
            })
            .catch((e: unknown) => this.log.error('notice-server.refused', { peer, message: t.message, ...errorDetails(e) }));
        },
        poll: (kind, stamp) => {
          if (kind === 'request') socket.sendPoll('response', stamp);
        },
        badTelegram: (e) => this.log.error('notice-server.bad-telegram', { peer, code: e.code, error: e.message }),
        framingError: (e) => this.log.error('notice-server.framing-error', { peer, code: e.code, error: e.message }),
        handlerError: (e) => this.log.error('notice-server.handler-error', { peer, ...errorDetails(e) }),
        close: () => this.sockets.delete(socket),
      });
      this.sockets.add(socket);
    });
  }

  /** Listens on 127.0.0.1 by default; resolves the port (0 picks a free one). */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as { port: number }).port));
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
