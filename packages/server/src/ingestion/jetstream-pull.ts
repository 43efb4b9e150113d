import { createInbox, type Msg, type NatsConnection, nanos } from 'nats';

export type PullOptions = { batch: number; max_bytes?: number; no_wait?: boolean; expires?: number };

/** A stream message as a pull delivers it, with what its acknowledgement subject says of it. */
export interface PulledMessage {
  msg: Msg;
  streamSequence: number;
  deliverySequence: number;
  /** Messages still waiting for the consumer after this one. */
  pending: number;
}

export interface PullResult {
  messages: PulledMessage[];
  /** The next message did not fit in what was left of `max_bytes` (and was not delivered). */
  sizeExceeded: boolean;
}

/** A pull that delivered something and then stays silent this long is over. */
const QUIET_END_MS = 1_000;

/**
 * One pull request on a pull consumer, read at the protocol level. The client library's fetch
 * turns JetStream's "409 Message Size Exceeds MaxBytes" — the normal end of a pull whose next
 * message does not fit its byte budget — into an error that also drops the messages delivered
 * before it, so a backlog larger than the budget was read again and again from the same place and
 * its partition stalled. Here that status ends the pull with what came, as do 404 (nothing
 * waiting) and 408 (the wait expired), the batch being full, and the consumer having nothing
 * more. A pull with no answer at all within `limitMs` fails.
 */
export function pullMessages(
  nc: NatsConnection,
  stream: string,
  consumer: string,
  options: PullOptions,
  limitMs: number,
): Promise<PullResult> {
  const inbox = createInbox();
  const messages: PulledMessage[] = [];
  return new Promise<PullResult>((resolve, reject) => {
    let quiet: NodeJS.Timeout | undefined;
    const finish = (outcome: PullResult | Error) => {
      clearTimeout(quiet);
      clearTimeout(limit);
      sub.unsubscribe();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const limit = setTimeout(
      () =>
        finish(new Error(`consumer ${consumer} did not answer a pull within ${limitMs} ms; reading again`)),
      limitMs,
    );
    const sub = nc.subscribe(inbox, {
      callback: (error, msg) => {
        if (error) return finish(error);
        const code = msg.data.length === 0 ? (msg.headers?.code ?? 0) : 0;
        if (code === 0) {
          const pulled = pulledMessage(msg);
          messages.push(pulled);
          if (messages.length >= options.batch || pulled.pending === 0)
            return finish({ messages, sizeExceeded: false });
          clearTimeout(quiet);
          quiet = setTimeout(() => finish({ messages, sizeExceeded: false }), QUIET_END_MS);
          return;
        }
        if (code === 100) return; // idle heartbeat
        const description = msg.headers?.description ?? '';
        if (code === 404 || code === 408) return finish({ messages, sizeExceeded: false });
        if (code === 409 && /message size exceeds maxbytes/i.test(description))
          return finish({ messages, sizeExceeded: true });
        finish(new Error(`JetStream ended a pull of consumer ${consumer}: ${code} ${description}`));
      },
    });
    const { expires, ...rest } = options;
    const request = expires === undefined ? rest : { ...rest, expires: nanos(expires) };
    nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, JSON.stringify(request), {
      reply: inbox,
    });
  });
}

/**
 * What the acknowledgement subject says: `$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.
 * <delivery seq>.<time>.<pending>`, or the longer form with a domain and an account hash first.
 */
function pulledMessage(msg: Msg): PulledMessage {
  const tokens = (msg.reply ?? '').split('.');
  if (tokens.length === 9) tokens.splice(2, 0, '_', '');
  if (tokens.length < 11 || tokens[0] !== '$JS' || tokens[1] !== 'ACK')
    throw new Error(`a pull delivered a message without a JetStream reply subject (${msg.reply})`);
  return {
    msg,
    streamSequence: Number(tokens[7]),
    deliverySequence: Number(tokens[8]),
    pending: Number(tokens[10]),
  };
}
