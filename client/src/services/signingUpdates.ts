import type { SigningView } from '@protocol/agreement.ts';
import { SignallingClient } from './SignallingClient.ts';

/**
 * The signing page outside the room: a signalling socket on the signing token (it may only
 * receive this party's signing view), sent the view on connecting and whenever the agreement
 * changes. The socket client reconnects by itself; returns the stop function.
 */
export function watchSigning(token: string, onView: (view: SigningView) => void): () => void {
  const socket = new SignallingClient({ kind: 'signing', token });
  socket.on('signing.updated', ({ view }) => onView(view));
  // A refused handshake (link expired or revoked) leaves the page as its HTTP calls show it.
  socket.connect().catch(() => undefined);
  return () => socket.close();
}
