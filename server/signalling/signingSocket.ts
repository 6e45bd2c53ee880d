import { forbidden } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { requestSchemas, type RequestName, type ServerNotification } from '../protocol/signalling.ts';
import { dispatch, type RequestHandlers } from './dispatcher.ts';
import type { DocumentFeed, DocumentSubject } from './documents.ts';
import type { SignallingSocket } from './RoomConnection.ts';

/** Never reached: the permissions table lets the signing socket's role (`signer`) send no request. */
const refused = Object.fromEntries(
  (Object.keys(requestSchemas) as RequestName[]).map((name) => [
    name,
    () => {
      throw forbidden(`${name} is not allowed on a signing socket`);
    },
  ]),
) as unknown as RequestHandlers;

/**
 * The signing page's socket (and the judicial application page's): it is sent the party's view
 * now and whenever the case's documents change, until it disconnects; a resumed socket is sent the current view again. Its requests
 * take the one dispatcher path, where the permissions table refuses them all.
 */
export function serveSigner(socket: SignallingSocket, signer: Exclude<DocumentSubject, { kind: 'room' }>, documents: DocumentFeed, log: Logger): void {
  const follow = documents.follow(signer, (n) => socket.emit('notification', n as ServerNotification));
  follow.refresh();
  socket.once('disconnect', () => follow.stop());
  socket.on('request', (request, ack) => {
    if (typeof ack === 'function') void dispatch(refused, 'signer', request, log).then(ack);
  });
}
