/** One message of the assembly queue, as the consumer handles it. */
export interface AssemblyDelivery {
  /** The upload to assemble; undefined when the body is malformed. */
  uploadId: string | undefined;
  /** The start of the body, for the log of a malformed one. */
  body: string;
  /** How many times the queue has handed this message out, 1 the first time. */
  receiveCount: number;
  /** Opaque handle for `extend` and `remove`. */
  receipt: string;
  /**
   * The W3C trace context (`traceparent`, `tracestate`) of the chunk request that queued the
   * message, so its assembly links back to it; empty when tracing was off there.
   */
  traceContext: Record<string, string>;
}

/** The consuming side of the assembly FIFO queue (the producing side is `AssemblyQueue`). */
export interface AssemblyInbox {
  /**
   * Long-polls for up to `max` messages, each hidden from every other consumer for
   * `visibilitySeconds`; an empty list when none came. Aborting `signal` ends the poll.
   */
  receive(max: number, visibilitySeconds: number, signal: AbortSignal): Promise<AssemblyDelivery[]>;
  /** Hides the message for `seconds` more, counted from now. */
  extend(receipt: string, seconds: number): Promise<void>;
  /** Acknowledges the message: it is not delivered again. */
  remove(receipt: string): Promise<void>;
}
