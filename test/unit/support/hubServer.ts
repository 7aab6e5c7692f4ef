import { http, HttpResponse, type HttpHandler } from "msw";
import { AsyncQueue, deferred } from "./queue.js";
import { seen, type SeenRequest } from "./msw.js";

/** One long poll waiting for the test to answer it. */
export interface Poll {
  readonly request: SeenRequest;
  /** Answers the poll. */
  respond(response: Response): void;
  /** Resolves when the client aborts the poll. */
  readonly aborted: Promise<void>;
}

const isEventStream = (request: Request) => (request.headers.get("accept") ?? "").includes("text/event-stream");

type Answer = (request: SeenRequest) => Response | Promise<Response>;

/** What {@link longPollingEndpoint} returns. */
export interface LongPollingEndpoint {
  /** Polls after the first one of each connection, waiting for an answer. */
  readonly polls: AsyncQueue<Poll>;
  readonly posts: AsyncQueue<SeenRequest>;
  readonly deletes: AsyncQueue<SeenRequest>;
  /** Decides the answer to each POST (default 200). */
  answerPost: Answer;
  /** Decides the answer to each DELETE (default 202). */
  answerDelete: Answer;
  /** Decides the answer to the first poll of a connection (default 200, empty). */
  answerFirstPoll: Answer;
  readonly handlers: HttpHandler[];
}

/**
 * The Long Polling side of a hub endpoint, over msw. The first poll of each
 * connection id is answered 200 at once (as a server does); later polls wait
 * in `polls` for the test to answer. POSTs and DELETEs are recorded and
 * answered by `answerPost` / `answerDelete`.
 */
export function longPollingEndpoint(hubUrl: string): LongPollingEndpoint {
  const polls = new AsyncQueue<Poll>();
  const posts = new AsyncQueue<SeenRequest>();
  const deletes = new AsyncQueue<SeenRequest>();
  const firstPollSeen = new Set<string>();
  const endpoint: LongPollingEndpoint = {
    polls,
    posts,
    deletes,
    answerPost: () => new HttpResponse(null, { status: 200 }),
    answerDelete: () => new HttpResponse(null, { status: 202 }),
    answerFirstPoll: () => new HttpResponse(null, { status: 200 }),
    handlers: [
      http.get(hubUrl, async ({ request }) => {
        if (isEventStream(request)) return undefined;
        const seenRequest = await seen(request);
        const id = seenRequest.url.searchParams.get("id") ?? "";
        if (!firstPollSeen.has(id)) {
          firstPollSeen.add(id);
          return endpoint.answerFirstPoll(seenRequest);
        }
        const answer = deferred<Response>();
        const aborted = deferred<void>();
        const onAbort = () => {
          aborted.resolve();
          answer.resolve(new HttpResponse(null, { status: 204 }));
        };
        if (request.signal.aborted) onAbort();
        request.signal.addEventListener("abort", onAbort);
        polls.push({ request: seenRequest, respond: answer.resolve, aborted: aborted.promise });
        return answer.promise;
      }),
      http.post(hubUrl, async ({ request }) => {
        const seenRequest = await seen(request);
        posts.push(seenRequest);
        return endpoint.answerPost(seenRequest);
      }),
      http.delete(hubUrl, async ({ request }) => {
        const seenRequest = await seen(request);
        deletes.push(seenRequest);
        return endpoint.answerDelete(seenRequest);
      }),
    ],
  };
  return endpoint;
}

/** One event stream the client opened. */
export interface OpenStream {
  readonly request: SeenRequest;
  write(text: string): void;
  end(): void;
  /** Resolves when the client goes away (the body is cancelled or the request aborted). */
  readonly closed: Promise<void>;
}

/**
 * The Server-Sent Events side of a hub endpoint, over msw: each GET with
 * `Accept: text/event-stream` gets a stream the test writes to, unless
 * `refuse` returns a response to send instead. POSTs are recorded.
 */
export interface EventStreamEndpoint {
  readonly streams: AsyncQueue<OpenStream>;
  readonly posts: AsyncQueue<SeenRequest>;
  /** Return a response to refuse a stream (e.g. 404); undefined to open it. */
  refuse: (request: SeenRequest) => Response | undefined;
  answerPost: Answer;
  readonly handlers: HttpHandler[];
}

export function eventStreamEndpoint(hubUrl: string): EventStreamEndpoint {
  const streams = new AsyncQueue<OpenStream>();
  const posts = new AsyncQueue<SeenRequest>();
  const endpoint: EventStreamEndpoint = {
    streams,
    posts,
    refuse: () => undefined,
    answerPost: () => new HttpResponse(null, { status: 200 }),
    handlers: [
      http.get(hubUrl, async ({ request }) => {
        if (!isEventStream(request)) return undefined;
        const seenRequest = await seen(request);
        const refusal = endpoint.refuse(seenRequest);
        if (refusal) return refusal;
        const encoder = new TextEncoder();
        const closed = deferred<void>();
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        let open = true;
        const finish = () => {
          open = false;
          closed.resolve();
        };
        request.signal.addEventListener("abort", finish);
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            controller = c;
          },
          cancel: finish,
        });
        streams.push({
          request: seenRequest,
          write(text) {
            if (open) controller.enqueue(encoder.encode(text));
          },
          end() {
            if (open) {
              open = false;
              controller.close();
            }
          },
          closed: closed.promise,
        });
        return new HttpResponse(body, { headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" } });
      }),
      http.post(hubUrl, async ({ request }) => {
        const seenRequest = await seen(request);
        posts.push(seenRequest);
        return endpoint.answerPost(seenRequest);
      }),
    ],
  };
  return endpoint;
}
