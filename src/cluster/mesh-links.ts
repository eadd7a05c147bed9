/**
 * The mesh's links where workers are hosted (engine/worker/mesh.ts defines what a link does):
 *
 * - **ports**: workers on threads of one process, a `MessagePort` pair per pair of workers. A
 *   message in a SharedArrayBuffer slot (BSP) travels by reference; any other is moved.
 * - **relay**: a remote worker's job thread, whose peers' TCP links live on its process's main
 *   thread (tcp-worker.ts): frames are encoded here, in the job's thread, and moved to the main
 *   thread, which writes them to the peer's socket; frames from peers come back the same way and
 *   reach the inbox through `deliverRelayed`.
 */
import type { MessagePort } from 'node:worker_threads';
import { decodeFrame, encodeFrame, type MeshFrame, type MeshLinks, type PeerInbox } from '../engine/runtime.js';
import { GasError } from '../errors.js';
import { buffersIn } from './protocol.js';

/** Links over one `MessagePort` per peer (null for this worker itself). */
export function portLinks(ports: readonly (MessagePort | null)[], inbox: PeerInbox, peerName: (peer: number) => string): MeshLinks {
  let closed = false;
  ports.forEach((port, peer) => {
    if (!port) return;
    port.on('message', (frame: MeshFrame) => inbox.deliver(peer, frame));
    port.on('close', () => {
      if (!closed) inbox.fail(new GasError('GAS_ERR_WORKER', `${peerName(peer)}: its mesh link closed`, { worker: peerName(peer) }));
    });
  });
  return {
    send(peer, frame) {
      ports[peer]!.postMessage(frame, buffersIn(frame.message));
    },
    close() {
      closed = true;
      for (const port of ports) port?.close();
    },
  };
}

/** What a job thread and its process's main thread say to each other about the mesh. */
export type RelayMessage =
  /** job thread → main: send this encoded frame to `to`. */
  | { readonly meshTo: number; readonly frame: ArrayBuffer }
  /** main → job thread: `from` sent this encoded frame. */
  | { readonly meshFrom: number; readonly frame: ArrayBuffer }
  /** main → job thread: the link to `peer` is gone. */
  | { readonly meshDown: number; readonly problem: string };

export function isRelayMessage(message: object): message is RelayMessage {
  return 'meshTo' in message || 'meshFrom' in message || 'meshDown' in message;
}

/** Links that hand encoded frames to `post` (the main thread's relay). */
export function relayLinks(post: (message: RelayMessage, transfer: ArrayBuffer[]) => void): MeshLinks {
  return {
    send(peer, frame) {
      const encoded = encodeFrame(frame);
      post({ meshTo: peer, frame: encoded }, [encoded]);
    },
    close: () => undefined,
  };
}

/** A relayed frame or link failure into `inbox`; a frame that does not decode fails the inbox naming the peer. */
export function deliverRelayed(message: RelayMessage, inbox: PeerInbox, peerName: (peer: number) => string): void {
  if ('meshDown' in message) {
    inbox.fail(new GasError('GAS_ERR_WORKER', `${peerName(message.meshDown)}: ${message.problem}`, { worker: peerName(message.meshDown) }));
  } else if ('meshFrom' in message) {
    try {
      inbox.deliver(message.meshFrom, decodeFrame(message.frame));
    } catch (error) {
      inbox.fail(new GasError('GAS_ERR_WORKER', `${peerName(message.meshFrom)}: ${(error as Error).message}`, { worker: peerName(message.meshFrom) }));
    }
  }
}
