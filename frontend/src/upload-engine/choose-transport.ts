import type { ChunkTarget, ChunkTransport, TransportDeps } from './chunk-transport.ts';
import { DirectTransport } from './direct-transport.ts';
import { RelayTransport } from './relay-transport.ts';

/**
 * The transport for an upload, as the server chose it: the app does not ask for a mode, so the
 * deployment's default decides (DESIGN.md §9.1), and an upload resumed after a reload keeps the
 * mode it was opened with (`GET /uploads/:id` says which). A server that names no mode predates
 * direct transfer: relay.
 */
export function transportFor(target: ChunkTarget, deps: TransportDeps): ChunkTransport {
  if (target.transfer === 'direct') return new DirectTransport(deps, target.uploadId);
  if (target.transfer !== undefined && target.transfer !== 'relay') {
    throw new Error(`the server chose a transfer this app does not know (${String(target.transfer)})`);
  }
  // Without credentials (an upload already assembling) nothing is ever sent through it.
  return new RelayTransport(deps.server, target.uploadId, target.uploadUrl ?? '', target.uploadToken ?? '');
}
