/**
 * The worker mesh's parts: frames as bytes (what crosses a TCP link between workers), the inbox
 * that waits for peers' frames, and which peers a worker sends each kind to — both ends of every
 * pair must agree on that, or one would wait for a frame that never comes.
 */
import { describe, expect, it } from 'vitest';
import { buildExchangePlan } from '../src/engine/worker/exchange-plan.js';
import { buildLocalGraph } from '../src/engine/worker/local-graph.js';
import { decodeFrame, encodeFrame, meshPeers, MESH_KIND_NAMES, PeerInbox, type MeshFrame } from '../src/engine/worker/mesh.js';
import { readGraphTables, readShard, shardRouting } from '../src/engine/worker/shard.js';
import { layOutGraphology } from '../src/api/graphology-layout.js';
import { Graph } from './helpers/graph-files.js';

describe('mesh frames as bytes', () => {
  it('round-trip every kind with float64, uint32 and null messages, steps −1 and large', () => {
    for (const kind of MESH_KIND_NAMES) {
      for (const message of [new Float64Array([1.5, -0, Number.MAX_VALUE, NaN]), new Uint32Array([0, 7, 2 ** 32 - 1]), null, new Float64Array(0)]) {
        for (const step of [-1, 0, 3, 2 ** 31 - 1]) {
          const decoded = decodeFrame(encodeFrame({ kind, step, message }));
          expect(decoded.kind).toBe(kind);
          expect(decoded.step).toBe(step);
          if (message === null) expect(decoded.message).toBeNull();
          else {
            expect(decoded.message!.constructor).toBe(message.constructor);
            expect(Array.from(decoded.message!)).toEqual(Array.from(message));
          }
        }
      }
    }
  });

  it('copy a message that is a view into a larger buffer (a shared slot), and only its bytes', () => {
    const slot = new Float64Array([9, 9, 1, 2, 9]);
    const frame = encodeFrame({ kind: 'values', step: 2, message: slot.subarray(2, 4) });
    slot.fill(0);
    expect(Array.from(decodeFrame(frame).message!)).toEqual([1, 2]);
    expect(frame.byteLength).toBe(8 + 16);
  });

  it('refuse bytes that are not a frame with GAS_ERR_WORKER', () => {
    const good = encodeFrame({ kind: 'partials', step: 1, message: new Float64Array([1, 2]) });
    const mutate = (edit: (bytes: Uint8Array) => void, length = good.byteLength): ArrayBuffer => {
      const bytes = new Uint8Array(good.slice(0, length));
      edit(bytes);
      return bytes.buffer;
    };
    for (const bad of [
      new ArrayBuffer(3),
      mutate((b) => (b[0] = 200)),
      mutate((b) => (b[1] = 9)),
      mutate(() => undefined, good.byteLength - 3),
      mutate((b) => (b[1] = 0)),
      mutate((b) => (b[1] = 2), good.byteLength - 2),
    ]) {
      expect(() => decodeFrame(bad)).toThrow(expect.objectContaining({ code: 'GAS_ERR_WORKER', message: expect.stringContaining('malformed frame') }));
    }
  });
});

describe('the inbox', () => {
  const frame = (kind: MeshFrame['kind'], step: number, value: number): MeshFrame => ({ kind, step, message: new Float64Array([value]) });

  it('waits for every expected peer, keeps the newest frame of each kind, and hands out a mailbox indexed by peer', async () => {
    const inbox = new PeerInbox(4);
    inbox.deliver(1, frame('partials', 0, 10));
    let taken: readonly (Float64Array | Uint32Array | null)[] | null = null;
    const waiting = inbox.take('partials', [1, 3], 0).then((mailbox) => (taken = mailbox));
    await Promise.resolve();
    expect(taken).toBeNull();
    inbox.deliver(3, frame('values', 0, 99)); // another kind does not count
    await Promise.resolve();
    expect(taken).toBeNull();
    inbox.deliver(3, frame('partials', 0, 30));
    await waiting;
    expect(taken!.map((m) => (m ? m[0] : null))).toEqual([null, 10, null, 30]);
    // SSP: until() takes any step at or after the bound; newest() is the latest frame.
    inbox.deliver(1, frame('partials', 2, 12));
    await inbox.until('partials', [1], 1);
    expect(inbox.newest('partials', 1)).toMatchObject({ step: 2 });
  });

  it('says so when a peer is ahead of the step asked for (a broken exchange, not a wait)', async () => {
    const inbox = new PeerInbox(2);
    inbox.deliver(1, frame('flags', 5, 1));
    await expect(inbox.take('flags', [1], 4)).rejects.toMatchObject({ code: 'GAS_ERR_INTERNAL' });
  });

  it('fails every present and future wait with the failure of a link', async () => {
    const inbox = new PeerInbox(3);
    const waiting = inbox.take('signals', [2], 0);
    const failure = Object.assign(new Error('worker 2: its mesh link closed'), { code: 'GAS_ERR_WORKER' });
    inbox.fail(failure);
    await expect(waiting).rejects.toBe(failure);
    await expect(inbox.until('values', [1], 0)).rejects.toBe(failure);
  });
});

describe('who sends what to whom', () => {
  it('for every kind and pair, a worker sends to exactly the peers that expect it from that worker', async () => {
    const graph = new Graph({ type: 'directed' });
    for (let i = 0; i < 60; i++) graph.addNode(String(i));
    for (let i = 0; i < 60; i++) for (const d of [1, 7, 13]) graph.mergeEdge(String(i), String((i * 3 + d) % 60));
    const source = (await layOutGraphology(graph, null, { partitions: 5 }, 'test')).graph;
    const tables = readGraphTables(source);
    const W = 4;
    const plans = Array.from({ length: W }, (_, w) => {
      const shard = readShard(source, tables, w, W);
      return buildExchangePlan(buildLocalGraph(shard.partitions), shardRouting(shard), w, W);
    });
    let links = 0;
    for (const kind of MESH_KIND_NAMES) {
      const peers = plans.map((plan) => meshPeers(plan, kind));
      for (let w = 0; w < W; w++) {
        expect(peers[w]!.sendTo).not.toContain(w);
        for (let u = 0; u < W; u++) {
          if (u === w) continue;
          expect(peers[w]!.sendTo.includes(u), `${kind}: ${w} → ${u}`).toBe(peers[u]!.hearFrom.includes(w));
          if (peers[w]!.sendTo.includes(u)) links++;
        }
      }
    }
    expect(links).toBeGreaterThan(0);
  });
});
